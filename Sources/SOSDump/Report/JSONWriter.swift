/// Pretty-printed JSON (RFC 8259) written straight into UTF-8 bytes, in
/// exactly the form `ReportJSON.encoder(pretty: true)` gives: two spaces a
/// level, `"key" : value`, `,` at the end of a line, an empty array or
/// object as its brackets around an empty line, slashes not escaped, `"`
/// and `\` escaped, `\b \f \n \r \t` and the other control characters as
/// `\u00xx`, everything else (non-ASCII included) as its UTF-8 bytes;
/// integers in decimal; a double as Swift prints it without a trailing
/// `.0` (`5`, `0.25`, `1e-06`, `1e+16`), as Foundation's encoder does.
///
/// For the records written once per item of a long listing
/// (`TransferStream`), where Foundation's `JSONEncoder` costs more than
/// everything else: a record writes its own fields, **in sorted order of
/// their snake_case keys** (the writer does not sort), through
/// `JSONWritable`. `JSONWriterTests` holds every such record to
/// `JSONEncoder`'s output byte for byte.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var depth: Int
    /// No member written yet in the innermost object or array.
    private var first = true

    /// A writer for one value that starts a line `depth` levels deep (an
    /// element of an array `depth - 1` levels deep): the line's indentation
    /// is written first.
    init(depth: Int = 0, capacity: Int = 2048) {
        self.depth = depth
        bytes.reserveCapacity(capacity)
        indent()
    }

    /// The bytes written, as text.
    var text: String { String(decoding: bytes, as: UTF8.self) }

    // MARK: Containers

    mutating func openObject() { open(UInt8(ascii: "{")) }
    mutating func closeObject() { close(UInt8(ascii: "}")) }
    mutating func openArray() { open(UInt8(ascii: "[")) }
    mutating func closeArray() { close(UInt8(ascii: "]")) }

    /// Starts an object's member: `"key" : `, its value to follow.
    mutating func key(_ name: StaticString) {
        nextLine()
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        raw("\" : ")
    }

    /// Starts an array's element, its value to follow.
    mutating func element() { nextLine() }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        depth += 1
        first = true
    }

    private mutating func close(_ bracket: UInt8) {
        if first { bytes.append(UInt8(ascii: "\n")) }  // empty: the brackets around an empty line
        depth -= 1
        bytes.append(UInt8(ascii: "\n"))
        indent()
        bytes.append(bracket)
        first = false
    }

    private mutating func nextLine() {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\n"))
        indent()
    }

    private mutating func indent() {
        for _ in 0..<depth { raw("  ") }
    }

    /// Bytes known to need no escaping.
    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    // MARK: Values

    mutating func null() { raw("null") }

    mutating func bool(_ value: Bool) { value ? raw("true") : raw("false") }

    mutating func integer(_ value: some BinaryInteger) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var rest = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10))
            rest /= 10
        } while rest > 0
        bytes[start...].reverse()
    }

    /// A finite double as Foundation writes it. The records hold none that
    /// is not finite (Foundation's encoder would refuse the whole record);
    /// one is written as `null` rather than as invalid JSON.
    mutating func double(_ value: Double) {
        guard value.isFinite else { return null() }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var run = 0  // start of the bytes not yet written
            for (i, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i]))
                run = i + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:  // below 0x20: \u00 and two lowercase hex digits
                    let low = byte & 0xF
                    raw("u00")
                    bytes.append(UInt8(ascii: "0") + (byte >> 4))
                    bytes.append(low < 10 ? UInt8(ascii: "0") + low : UInt8(ascii: "a") + low - 10)
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    // MARK: Members of a record

    /// `"key" : value`.
    mutating func field(_ key: StaticString, _ value: some JSONWritable) {
        self.key(key)
        value.write(to: &self)
    }

    /// `"key" : value`, or nothing when there is no value: what synthesised
    /// `Codable` does with an optional.
    mutating func fieldIfPresent(_ key: StaticString, _ value: (some JSONWritable)?) {
        guard let value else { return }
        field(key, value)
    }

    /// `"key" : value` or `"key" : null`: what `Nullable` does.
    mutating func nullable(_ key: StaticString, _ value: (some JSONWritable)?) {
        self.key(key)
        if let value { value.write(to: &self) } else { null() }
    }
}

/// A value that writes itself through a `JSONWriter`, as its `Codable`
/// conformance encodes it with `ReportJSON.encoder`.
protocol JSONWritable {
    func write(to json: inout JSONWriter)
}

extension String: JSONWritable {
    func write(to json: inout JSONWriter) { json.string(self) }
}

extension Int: JSONWritable {
    func write(to json: inout JSONWriter) { json.integer(self) }
}

extension UInt16: JSONWritable {
    func write(to json: inout JSONWriter) { json.integer(self) }
}

extension Bool: JSONWritable {
    func write(to json: inout JSONWriter) { json.bool(self) }
}

extension Double: JSONWritable {
    func write(to json: inout JSONWriter) { json.double(self) }
}

extension Array: JSONWritable where Element: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.openArray()
        for element in self {
            json.element()
            element.write(to: &json)
        }
        json.closeArray()
    }
}
