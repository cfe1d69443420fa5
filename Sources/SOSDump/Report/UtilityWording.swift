/// The words of the recovery utility (`RecoveryUtility`'s notes): one line
/// per note, as `sosdump-sim utility` prints them and `sosdump recover`
/// shows them.
public enum UtilityWording {
    public static func phone(_ p: RecoveryUtility.Phone) -> String {
        "\(p.product ?? "?") MAC \(p.mac) serial \(p.serial ?? "?") software \(p.softwareVersion ?? "?")"
            + " hardware \(p.hardwareVersion ?? "?") IP \(p.address.map { "\($0)" } ?? "?")"
    }

    public static func line(_ note: RecoveryNote) -> String {
        switch note {
        case .phoneReplied(let p, let first):
            return "reply from \(p.replyFrom): \(phone(p))" + (first ? "" : " (again)")
        case .confirmationNeeded(let p):
            return "phone found: \(phone(p))"
        case .noPhone:
            return "Recovery failed: cannot find the specified device"
        case .upgradeSent(let name, let port, let format):
            return "upgrade order (\(format.rawValue)): \(name), port field \(port)"
        case .upgradeRepeated(let n):
            return "no echo of the upgrade order: sending it again (\(n))"
        case .upgradeEcho(let name, let port, let from):
            return "upgrade echo from \(from): \(name ?? "?") port \(port ?? 0)"
        case .tftpRequest(let file, let mode, let client, let port, let destination):
            return "TFTP: RRQ \(file) (\(mode)) from \(client).\(port) to \(destination.map { "\($0)" } ?? "?"):69"
        case .tftpAnswering(let client, let port, let serverPort):
            return "TFTP: answering \(client).\(port) from port \(serverPort)"
        case .tftpErrorSent(let code, let message):
            return "TFTP: sent ERROR \(code) \(message)"
        case .tftpWrongFile(let requested, let served):
            return "TFTP: \(requested) is not \(served): ERROR 1"
        case .tftpClientError(let code, let message):
            return "TFTP: the client sent ERROR \(code) \(message)"
        case .tftpComplete(let bytes, let blocks, let client, let port):
            return "TFTP: \(bytes) bytes sent to \(client).\(port) in \(blocks) blocks"
        case .tftpHanging(let block):
            return "TFTP: hanging after block \(block) (injected)"
        case .tftpNoAck(let block, let client, let port):
            return "TFTP: no ACK for block \(block) from \(client).\(port): giving up"
        case .tftpStalled(let block, let of, let client, let port):
            return "TFTP: transfer to \(client).\(port) stalled at block \(block) of \(of)"
        case .noTFTPRequest(let serverRunning):
            return "Recovery failed: no TFTP request came" + (serverRunning ? "" : " (nothing listened on port 69)")
        case .transferFailed(let client, let port, let outcome):
            return "transfer to \(client).\(port) failed: \(outcome.rawValue)"
        case .watching(let interval, let seconds):
            return "asking again every \(SOSWording.seconds(interval)) for \(SOSWording.seconds(seconds))"
        case .upgradeSentToAll(let phones):
            return "upgrade sent to \(phones) phone(s); the phone writes its flash and restarts"
        }
    }
}
