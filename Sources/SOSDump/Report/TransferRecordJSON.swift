/// `TransferRecord` written by hand through `JSONWriter`: the object
/// `sosdump transfers --format json` prints for each transfer, byte for
/// byte what `ReportJSON.encoder(pretty: true)` makes of the record (keys
/// in sorted snake_case order, an absent optional left out, the image's
/// `Nullable` fields as `null`).
///
/// Why not `JSONEncoder`: on the boot storm of issue 14 (140,000 records,
/// release build, 2 cores) `transfers --format json` took 11.1 s with it,
/// against 3.4 s for the table: about 55 µs a record. Written by hand, the
/// same output takes 3.4 s (docs/performance.md). The `Codable`
/// conformance stays for decoding and for every other report.
/// `JSONWriterTests` holds this to `JSONEncoder`'s output on generated
/// records and on the corpus, and fails until a field added to the record
/// is written here.
extension TransferRecord: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.openObject()
        json.fieldIfPresent("accepted_options", acceptedOptions)
        json.field("ack_packets", ackPackets)
        json.fieldIfPresent("acknowledged_through", acknowledgedThrough)
        json.fieldIfPresent("announced_size", announcedSize)
        json.fieldIfPresent("anomalies", anomalies)
        json.field("block_size", blockSize)
        json.field("blocks", blocks)
        json.fieldIfPresent("blocks_peer_missed", blocksPeerMissed)
        json.field("bytes", bytes)
        json.fieldIfPresent("bytes_per_second", bytesPerSecond)
        json.field("client", client)
        json.field("complete", complete)
        json.fieldIfPresent("completed_by_acknowledgment", completedByAcknowledgment)
        json.fieldIfPresent("corrupted_data", corruptedData)
        json.fieldIfPresent("data_not_captured", dataNotCaptured)
        json.field("data_packets", dataPackets)
        json.field("direction", direction)
        json.fieldIfPresent("duplicate_frames", duplicateFrames)
        json.fieldIfPresent("error", error)
        json.field("file", file)
        json.field("final_block_acknowledged", finalBlockAcknowledged)
        json.fieldIfPresent("first_reply_frame", firstReplyFrame)
        json.fieldIfPresent("foreign_packets", foreignPackets)
        json.fieldIfPresent("gaps", gaps)
        json.fieldIfPresent("image", image)
        json.field("last_frame", lastFrame)
        json.field("last_time", lastTime)
        json.fieldIfPresent("md5", md5)
        json.field("mode", mode)
        json.field("number", number)
        json.fieldIfPresent("out_of_order_blocks", outOfOrderBlocks)
        json.field("outcome", outcome)
        json.fieldIfPresent("repeated_acks", repeatedAcks)
        json.field("request_frame", requestFrame)
        json.field("request_time", requestTime)
        json.field("request_to", requestTo)
        json.field("requested_options", requestedOptions)
        json.field("requests", requests)
        json.fieldIfPresent("retransmitted_data", retransmittedData)
        json.field("seconds", seconds)
        json.fieldIfPresent("server", server)
        json.fieldIfPresent("sha1", sha1)
        json.fieldIfPresent("sha256", sha256)
        json.fieldIfPresent("size", size)
        json.fieldIfPresent("size_mismatch", sizeMismatch)
        json.fieldIfPresent("sorcerers_apprentice_frame", sorcerersApprenticeFrame)
        json.fieldIfPresent("stall", stall)
        json.fieldIfPresent("unreachable", unreachable)
        json.field("window_size", windowSize)
        json.closeObject()
    }
}

extension TransferRecord.Option: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.openObject()
        json.field("name", name)
        json.field("value", value)
        json.closeObject()
    }
}

extension TransferRecord.Occurrences: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.openObject()
        json.field("count", count)
        json.field("first_frame", firstFrame)
        json.closeObject()
    }
}

extension TransferRecord.Gap: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.openObject()
        json.field("acknowledged", acknowledged)
        json.field("cut_by_snap_length", cutBySnapLength)
        json.field("first_block", firstBlock)
        json.field("last_block", lastBlock)
        json.field("length", length)
        json.field("offset", offset)
        json.closeObject()
    }
}

extension TransferRecord.ErrorPacket: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.openObject()
        json.field("code", code)
        json.field("frame", frame)
        json.field("message", message)
        json.field("name", name)
        json.field("sent_by", sentBy)
        json.closeObject()
    }
}

extension TransferRecord.Unreachable: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.openObject()
        json.field("drawn_by", drawnBy)
        json.field("frame", frame)
        json.field("message", message)
        json.field("reporter", reporter)
        json.field("unreachable", unreachable)
        json.closeObject()
    }
}

extension TransferRecord.Stall: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.openObject()
        json.field("block", block)
        json.field("frame", frame)
        json.field("last_frame", lastFrame)
        json.field("quiet_side", quietSide)
        json.field("silence_before_capture_end", silenceBeforeCaptureEnd)
        json.fieldIfPresent("superseded_by_frame", supersededByFrame)
        json.field("time", time)
        json.closeObject()
    }
}

extension ImageRecord: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.openObject()
        json.field("catalog", catalog)
        json.field("catalog_text", catalogText)
        json.field("extent", extent)
        json.nullable("failed_check", failedCheck)
        json.field("has_image_magic", hasImageMagic)
        json.field("loader", loader)
        json.nullable("loader_message", loaderMessage)
        json.field("loader_text", loaderText)
        json.nullable("release", release)
        json.field("size", size)
        json.nullable("version", version)
        json.closeObject()
    }
}
