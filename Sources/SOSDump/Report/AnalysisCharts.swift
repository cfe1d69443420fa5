import Foundation

/// The charts of the HTML report, drawn as inline SVG from the records
/// alone: a download's blocks against time (`TransferChart`) and a phone's
/// lanes of who spoke when (`LaneChart`). Axes are labelled; every mark
/// carries a `<title>` (the frame and what it is), which a browser shows
/// on hover without a script; the legend is HTML under the chart.
struct ChartFrame {
    static let width = 760.0
    var height: Double
    var left: Double
    var right = 20.0
    var top = 14.0
    var bottom = 40.0
    var xMax: Double
    var yMax: Double

    var plotWidth: Double { Self.width - left - right }
    var plotHeight: Double { height - top - bottom }

    func x(_ v: Double) -> Double { left + min(max(v, 0), xMax) / xMax * plotWidth }
    func y(_ v: Double) -> Double { top + plotHeight - min(max(v, 0), yMax) / yMax * plotHeight }

    /// The SVG element's opening tag, with its accessible name.
    func open(_ className: String, label: String) -> String {
        "<svg class=\"chart \(className)\" viewBox=\"0 0 \(n(Self.width)) \(n(height))\" role=\"img\" aria-label=\"\(AnalysisHTML.escape(label))\">\n"
    }

    /// The x axis along the bottom, its ticks, grid lines, numbers and title.
    func xAxis(title: String, grid: Bool) -> String {
        var out = "<g class=\"axis x\">\n<line x1=\"\(n(left))\" y1=\"\(n(top + plotHeight))\" x2=\"\(n(left + plotWidth))\" y2=\"\(n(top + plotHeight))\"/>\n"
        for t in Self.ticks(xMax) {
            let px = x(t)
            if grid { out += "<line class=\"grid-line\" x1=\"\(n(px))\" y1=\"\(n(top))\" x2=\"\(n(px))\" y2=\"\(n(top + plotHeight))\"/>\n" }
            out += "<line x1=\"\(n(px))\" y1=\"\(n(top + plotHeight))\" x2=\"\(n(px))\" y2=\"\(n(top + plotHeight + 4))\"/>"
            out += "<text x=\"\(n(px))\" y=\"\(n(top + plotHeight + 16))\" text-anchor=\"middle\">\(Self.label(t))</text>\n"
        }
        out += "<text class=\"axis-title\" x=\"\(n(left + plotWidth / 2))\" y=\"\(n(height - 6))\" text-anchor=\"middle\">\(AnalysisHTML.escape(title))</text>\n"
        return out + "</g>\n"
    }

    /// The y axis on the left, its ticks, grid lines, numbers and title.
    func yAxis(title: String) -> String {
        var out = "<g class=\"axis y\">\n<line x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(top + plotHeight))\"/>\n"
        for t in Self.ticks(yMax) {
            let py = y(t)
            out += "<line class=\"grid-line\" x1=\"\(n(left))\" y1=\"\(n(py))\" x2=\"\(n(left + plotWidth))\" y2=\"\(n(py))\"/>"
            out += "<line x1=\"\(n(left - 4))\" y1=\"\(n(py))\" x2=\"\(n(left))\" y2=\"\(n(py))\"/>"
            out += "<text x=\"\(n(left - 6))\" y=\"\(n(py + 4))\" text-anchor=\"end\">\(Self.label(t))</text>\n"
        }
        out += "<text class=\"axis-title\" transform=\"translate(14 \(n(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(AnalysisHTML.escape(title))</text>\n"
        return out + "</g>\n"
    }

    /// Ticks at 1, 2 or 5 times a power of ten, about six over 0...max.
    static func ticks(_ max: Double) -> [Double] {
        guard max > 0, max.isFinite else { return [0] }
        let raw = max / 6
        let power = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? raw
        var out: [Double] = []
        var t = 0.0
        while t <= max * 1.0001, out.count < 20 {
            out.append(t)
            t += step
        }
        return out
    }

    static func label(_ v: Double) -> String {
        if v == v.rounded() { return String(Int(v)) }
        return TransferTable.fixed(v, abs(v) < 0.1 ? 3 : (abs(v) < 1 ? 2 : 1))
    }
}

/// A number for an SVG attribute: two decimals at most.
func n(_ v: Double) -> String {
    let r = (v * 100).rounded() / 100
    return r == r.rounded() ? String(Int(r)) : String(r)
}

/// A download's block numbers against time since its request: the new
/// blocks as a line, DATA sent again, blocks out of order and repeated
/// ACKs as marks, the blocks the capture lacks as bands, the stall and the
/// final block marked.
struct TransferChart {
    var download: DownloadRecord

    var svg: String {
        let t = download.trace
        let points = t.progress + t.acknowledged + t.retransmissions + t.outOfOrder + t.repeatedAcks + [t.finalBlock, t.stall].compactMap { $0 }
        let xMax = max(t.seconds, points.map(\.seconds).max() ?? 0, 0.001)
        let yMax = Double(max(points.map(\.block).max() ?? 0, t.gaps.map(\.lastBlock).max() ?? 0, 1))
        let f = ChartFrame(height: 280, left: 64, xMax: xMax * 1.02, yMax: yMax * 1.05)
        var out = f.open("transfer-chart", label: ReportWording.transferTitle(download) + ": " + ReportWording.transferChart)
        for g in t.gaps {
            let y0 = f.y(Double(g.lastBlock) + 0.5), y1 = f.y(Double(g.firstBlock) - 0.5)
            out += "<rect class=\"gap\(g.acknowledged ? " acknowledged" : "")\" x=\"\(n(f.left))\" y=\"\(n(y0))\" width=\"\(n(f.plotWidth))\" "
                + "height=\"\(n(max(y1 - y0, 2)))\"><title>\(AnalysisHTML.escape(ReportWording.gap(g)))</title></rect>\n"
        }
        out += f.yAxis(title: ReportWording.block)
        out += f.xAxis(title: ReportWording.secondsSinceRequest, grid: true)
        if !t.acknowledged.isEmpty {
            let line = t.acknowledged.map { "\(n(f.x($0.seconds))),\(n(f.y(Double($0.block))))" }.joined(separator: " ")
            out += "<polyline class=\"acknowledged\" points=\"\(line)\"><title>\(ReportWording.acknowledged)</title></polyline>\n"
        }
        if !t.progress.isEmpty {
            let line = t.progress.map { "\(n(f.x($0.seconds))),\(n(f.y(Double($0.block))))" }.joined(separator: " ")
            out += "<polyline class=\"progress\" points=\"\(line)\"><title>\(ReportWording.newBlocks)</title></polyline>\n"
        }
        for p in t.retransmissions {
            out += "<circle class=\"retransmission\" cx=\"\(n(f.x(p.seconds)))\" cy=\"\(n(f.y(Double(p.block))))\" r=\"3.5\">"
                + "<title>\(AnalysisHTML.escape(ReportWording.point(p, ReportWording.retransmission)))</title></circle>\n"
        }
        for p in t.outOfOrder {
            let x = f.x(p.seconds), y = f.y(Double(p.block))
            out += "<path class=\"out-of-order\" d=\"M\(n(x)) \(n(y - 4))L\(n(x + 4)) \(n(y))L\(n(x)) \(n(y + 4))L\(n(x - 4)) \(n(y))Z\">"
                + "<title>\(AnalysisHTML.escape(ReportWording.point(p, ReportWording.outOfOrder)))</title></path>\n"
        }
        for p in t.repeatedAcks {
            let x = f.x(p.seconds), y = f.y(Double(p.block))
            out += "<path class=\"repeated-ack\" d=\"M\(n(x - 3)) \(n(y - 3))L\(n(x + 3)) \(n(y + 3))M\(n(x - 3)) \(n(y + 3))L\(n(x + 3)) \(n(y - 3))\">"
                + "<title>\(AnalysisHTML.escape(ReportWording.point(p, ReportWording.repeatedAck)))</title></path>\n"
        }
        if let s = t.stall {
            let x = f.x(s.seconds), y = f.y(Double(s.block))
            let label = ReportWording.stall(s.block)
            out += "<g class=\"stall-point\"><line class=\"stall\" x1=\"\(n(x))\" y1=\"\(n(f.top))\" x2=\"\(n(x))\" y2=\"\(n(f.top + f.plotHeight))\"/>"
            out += "<circle class=\"stall-mark\" cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"4.5\"><title>\(AnalysisHTML.escape("frame \(s.frame): " + label))</title></circle>"
            out += "<text x=\"\(n(min(x + 6, f.left + f.plotWidth - 4)))\" y=\"\(n(max(y - 8, f.top + 10)))\" text-anchor=\"\(x > f.left + f.plotWidth * 0.7 ? "end" : "start")\">"
                + "\(AnalysisHTML.escape(label))</text></g>\n"
        }
        if let p = t.finalBlock {
            let x = f.x(p.seconds), y = f.y(Double(p.block))
            let label = ReportWording.finalBlock(p.block)
            out += "<g class=\"final-block\"><rect class=\"final\" x=\"\(n(x - 4))\" y=\"\(n(y - 4))\" width=\"8\" height=\"8\">"
                + "<title>\(AnalysisHTML.escape("frame \(p.frame): " + label))</title></rect>"
            out += "<text x=\"\(n(x - 8))\" y=\"\(n(max(y - 8, f.top + 10)))\" text-anchor=\"end\">\(AnalysisHTML.escape(label))</text></g>\n"
        }
        out += "</svg>\n"
        out += legend(t)
        return out
    }

    /// What the marks mean: only those the chart has.
    func legend(_ t: BlockTraceRecord) -> String {
        var items: [(String, String)] = []
        func swatch(_ body: String) -> String { "<svg width=\"14\" height=\"14\" viewBox=\"0 0 14 14\" aria-hidden=\"true\">\(body)</svg>" }
        if !t.progress.isEmpty { items.append((swatch("<line class=\"progress\" x1=\"1\" y1=\"12\" x2=\"13\" y2=\"2\" stroke=\"#0969da\" stroke-width=\"2\"/>"), ReportWording.newBlocks)) }
        if !t.acknowledged.isEmpty {
            items.append((swatch("<line x1=\"1\" y1=\"12\" x2=\"13\" y2=\"2\" stroke=\"#8250df\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>"),
                          ReportWording.acknowledged))
        }
        if !t.retransmissions.isEmpty { items.append((swatch("<circle cx=\"7\" cy=\"7\" r=\"4\" fill=\"none\" stroke=\"#c62828\"/>"), ReportWording.retransmission)) }
        if !t.outOfOrder.isEmpty { items.append((swatch("<path d=\"M7 2L12 7L7 12L2 7Z\" fill=\"#9a6700\"/>"), ReportWording.outOfOrder)) }
        if !t.repeatedAcks.isEmpty { items.append((swatch("<path d=\"M3 3L11 11M3 11L11 3\" stroke=\"#8250df\"/>"), ReportWording.repeatedAck)) }
        if t.gaps.contains(where: { !$0.acknowledged }) { items.append((swatch("<rect width=\"14\" height=\"14\" fill=\"#ffd8d3\"/>"), ReportWording.gapMissing)) }
        if t.gaps.contains(where: \.acknowledged) { items.append((swatch("<rect width=\"14\" height=\"14\" fill=\"#fff1c2\"/>"), ReportWording.gapAcknowledged)) }
        if let p = t.finalBlock { items.append((swatch("<rect x=\"3\" y=\"3\" width=\"8\" height=\"8\" fill=\"#1a7f37\"/>"), ReportWording.finalBlock(p.block))) }
        if let s = t.stall { items.append((swatch("<line x1=\"7\" y1=\"0\" x2=\"7\" y2=\"14\" stroke=\"#c62828\" stroke-dasharray=\"3 2\"/>"), ReportWording.stall(s.block))) }
        if t.eventsNotKept > 0 { items.append(("", ReportWording.eventsNotKept(t.eventsNotKept))) }
        guard !items.isEmpty else { return "" }
        return "<ul class=\"legend\">" + items.map { "<li>\($0.0)\(AnalysisHTML.escape($0.1))</li>" }.joined() + "</ul>\n"
    }
}

/// A phone's story in lanes, one per speaker — the utility, the phone, the
/// network (TFTP server, gateway, DHCP) and sosdump's own marks (image
/// checks, the capture's end) — against seconds since the capture's first
/// frame: each timeline line a bar from its first frame to its last, and
/// the periods sosdump marks (the silence after a download, the reset
/// window) as bands.
struct LaneChart {
    var phone: PhoneRecord
    var start: CaptureTimestamp
    var length: Double

    static let laneHeight = 26.0

    func seconds(_ rfc3339: String?) -> Double? {
        rfc3339.flatMap(CaptureTimestamp.init(rfc3339:)).map { $0.seconds(since: start) }
    }

    var svg: String {
        let lanes = ReportWording.lanes
        let xMax = max(length, phone.timeline.compactMap { seconds($0.lastTime ?? $0.time) }.max() ?? 0, 0.001) * 1.01
        let f = ChartFrame(height: 14 + Double(lanes.count) * Self.laneHeight + 40, left: 72, xMax: xMax, yMax: Double(lanes.count))
        var out = f.open("lane-chart", label: ReportWording.phone + " " + phone.mac + ": " + ReportWording.laneChart)
        for (i, lane) in lanes.enumerated() {
            let y = f.top + Double(i) * Self.laneHeight
            if i % 2 == 0 { out += "<rect class=\"stripe\" x=\"\(n(f.left))\" y=\"\(n(y))\" width=\"\(n(f.plotWidth))\" height=\"\(n(Self.laneHeight))\"/>\n" }
            out += "<text x=\"\(n(f.left - 6))\" y=\"\(n(y + Self.laneHeight / 2 + 4))\" text-anchor=\"end\">\(lane)</text>\n"
        }
        let sosdumpLane = Double(lanes.firstIndex(of: TimelineEntry.Actor.sosdump.rawValue) ?? lanes.count - 1)
        for p in phone.periods {
            guard let s = seconds(p.start), let e = seconds(p.end) else { continue }
            let x0 = f.x(s), x1 = f.x(e)
            let reset = p.kind == SOSPeriod.Kind.resetWindow.rawValue
            // The reset window spans every lane, so the frame that falls inside it shows; the silence is sosdump's lane.
            let y = reset ? f.top : f.top + sosdumpLane * Self.laneHeight + 4
            let h = reset ? f.plotHeight : Self.laneHeight - 8
            out += "<rect class=\"period period-\(AnalysisHTML.escape(p.kind))\" x=\"\(n(x0))\" y=\"\(n(y))\" width=\"\(n(max(x1 - x0, 2)))\" height=\"\(n(h))\">"
                + "<title>\(AnalysisHTML.escape("frame \(p.frame): " + p.text))</title></rect>\n"
        }
        for line in phone.timeline {
            guard let lane = lanes.firstIndex(of: line.actor), let s = seconds(line.time) else { continue }
            let e = seconds(line.lastTime) ?? s
            let x0 = f.x(s), x1 = f.x(e)
            let y = f.top + Double(lane) * Self.laneHeight + 6
            let frames = line.lastFrame.map { $0 != line.frame ? "frames \(line.frame)-\($0)" : "frame \(line.frame)" } ?? "frame \(line.frame)"
            out += "<rect class=\"lane-\(AnalysisHTML.escape(line.actor))\" x=\"\(n(x1 - x0 < 3 ? x0 - 1.5 : x0))\" y=\"\(n(y))\" width=\"\(n(max(x1 - x0, 3)))\" "
                + "height=\"\(n(Self.laneHeight - 12))\"><title>\(AnalysisHTML.escape(frames + ": " + line.text))</title></rect>\n"
        }
        out += f.xAxis(title: ReportWording.secondsSinceStart, grid: false)
        out += "</svg>\n"
        if !phone.periods.isEmpty {
            out += "<ul class=\"legend\">" + phone.periods.map { p in
                let colour = p.kind == SOSPeriod.Kind.resetWindow.rawValue ? "fill=\"#fb8c0033\" stroke=\"#fb8c00\"" : "fill=\"#d0d7de\""
                return "<li><svg width=\"14\" height=\"14\" viewBox=\"0 0 14 14\" aria-hidden=\"true\"><rect x=\"1\" y=\"1\" width=\"12\" height=\"12\" \(colour)/></svg>"
                    + "\(AnalysisHTML.escape(p.text))</li>"
            }.joined() + "</ul>\n"
        }
        return out
    }
}

/// A 79xx phone's boots side by side: one row per boot, a bar from its
/// start to the next boot's (the last to the phone's last timeline line,
/// or a short stub), labelled with how it started, its load and its
/// registration. Drawn from the cycle records alone.
struct CycleChart {
    var phone: PhoneRecord

    static let rowHeight = 24.0

    var svg: String {
        let times = phone.cycles.map { CaptureTimestamp(rfc3339: $0.time) }
        guard let first = times.compactMap({ $0 }).first else { return "" }
        func seconds(_ t: CaptureTimestamp?) -> Double? { t.map { $0.seconds(since: first) } }
        let lastSeen = phone.timeline.compactMap { CaptureTimestamp(rfc3339: $0.lastTime ?? $0.time) }.max().flatMap { seconds($0) }
        let starts = times.map { seconds($0) ?? 0 }
        let xMax = max((starts.max() ?? 0) * 1.1, lastSeen ?? 0, 1)
        let f = ChartFrame(height: 14 + Double(phone.cycles.count) * Self.rowHeight + 40, left: 40, xMax: xMax, yMax: Double(phone.cycles.count))
        var out = f.open("cycle-chart", label: ReportWording.phone + " " + phone.mac + ": " + ReportWording.cycleChart)
        for (i, c) in phone.cycles.enumerated() {
            let y = f.top + Double(i) * Self.rowHeight
            let start = starts[i]
            let end = i + 1 < starts.count ? starts[i + 1] : max(lastSeen ?? start, start + xMax * 0.02)
            let x0 = f.x(start), x1 = f.x(end)
            out += "<text x=\"\(n(f.left - 6))\" y=\"\(n(y + Self.rowHeight / 2 + 4))\" text-anchor=\"end\">#\(c.number)</text>\n"
            out += "<rect class=\"cycle\" data-cycle=\"\(c.number)\" x=\"\(n(x0))\" y=\"\(n(y + 4))\" width=\"\(n(max(x1 - x0, 3)))\" "
                + "height=\"\(n(Self.rowHeight - 8))\"><title>\(AnalysisHTML.escape("frame \(c.frame): " + ReportWording.cycleLabel(c)))</title></rect>\n"
            out += "<text class=\"cycle-label\" x=\"\(n(x0 + 4))\" y=\"\(n(y + Self.rowHeight / 2 + 4))\">\(AnalysisHTML.escape(ReportWording.cycleLabel(c)))</text>\n"
        }
        out += f.xAxis(title: ReportWording.secondsSinceStart, grid: false)
        out += "</svg>\n"
        return out
    }
}
