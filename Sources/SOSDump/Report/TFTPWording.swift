/// The words for what the TFTP tracker finds that are not numbers: the
/// anomalies of a transfer. (`TransferTable` words the rest of a transfer.)
enum TFTPWording {
    static func anomaly(_ a: TFTPAnomaly) -> String {
        let what = switch a.kind {
        case .dataFromReceiver: "DATA from the receiving side"
        case .ackFromSender: "ACK from the sending side"
        case .optionAcknowledgmentFromClient: "OACK from the client"
        case .requestInsideTransfer: "a request inside the transfer"
        case .optionAcknowledgmentAfterData: "OACK after DATA"
        case .dataBeforeFirstBlock(let wire): "DATA block \(wire) before block 1"
        case .pastBlockLimit(let limit): "past \(limit) blocks; later blocks are not followed"
        case .resentWithOtherBytes(let block): "block \(block) sent again with different bytes"
        case .oversize(let block, let length, let blockSize): "block \(block) carries \(length) bytes, more than the block size \(blockSize)"
        case .pastFinalBlock(let block, let final): "block \(block) after the final block \(final)"
        case .ackBeforeStart(let wire): "ACK \(wire) before the transfer began"
        case .implausibleBlock(let block, let highest): "block \(block) is too far past block \(highest) to be real; not followed"
        case .memoryBudgetSpent: "the memory budget for open transfers was spent; later blocks are not followed"
        }
        return "frame \(a.frame): \(what)"
    }
}
