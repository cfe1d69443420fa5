extension FrameDecoder {
    /// Reads `reader` to its end, decoding every frame into one reused
    /// `Dissection` and handing it to `body`: the loop every analysis runs.
    /// At damage it throws the reader's error, after every frame before the
    /// damage was handed over. Inlinable so that `body` is inlined too.
    @inlinable
    public func decodeAll(from reader: CaptureReader, _ body: (borrowing Dissection) -> Void) throws(CaptureError) {
        var dissection = Dissection()
        while let frame = try reader.next() {
            decode(frame, into: &dissection)
            body(dissection)
        }
    }
}
