/// The S.O.S. messages sent to phones, kept capture-wide: which phone a
/// message reached (the group and broadcasts reach all; an address, the
/// phone that had it, also when its reply came later) and whether that
/// phone drops it by rule is decided when the capture ends.

/// A message sent to a phone (by the utility, or anything else): an S.O.S.
/// message, or a datagram to port 4810 that is not one.
struct SentMessage: Sendable {
    var mark: SOSPhoneStory.Mark
    /// nil: no `RECM` at offset 4.
    var message: SOSMessage?
    /// Without `RECM`: a firmware file name the datagram carries as text.
    var textName: String?
    var length: Int
    var source: IPv4Address
    var delivery: SOSDelivery
    /// Phones that acted on it (echoed it, or asked for the file it names).
    var followers: [Int] = []

    var destination: IPv4Address? { delivery.destination }

    /// Reaches every phone on the link: the group, another multicast group, a broadcast.
    var isForEveryPhone: Bool {
        guard let d = destination else { return false }
        return d.isMulticast || d == .broadcast || delivery.linkBroadcast
    }

    var kind: SOSMessageKind? { message?.kind }
    var fileName: String? { message?.fileName?.string ?? textName }

    /// The message as findings and the timeline name it.
    var facts: SOSMessageFacts {
        SOSMessageFacts(kind: message?.kind, opcode: message?.opcode ?? 0, fileName: message?.fileName, textName: textName,
                        destination: destination,
                        destinationPort: delivery.destinationPort, serial: message?.serial?.description)
    }

    var evidence: Evidence { mark.evidence(.message(facts)) }

    /// As the upgrade order a phone acted on.
    var orderEvidence: Evidence { mark.evidence(.upgradeOrder(file: fileName, asText: message == nil)) }
}

extension SOSDiagnosis {
    /// A message as one phone sees it.
    struct Judged {
        var index: Int
        var rules: [SOSRuleViolation]
        /// No `RECM` at offset 4, and no phone acted on it.
        var notSOS: Bool
        var dropped: Bool
    }

    /// Keeps a message to phones; a copy of the last one seen on another
    /// interface at the same time is counted, not kept.
    mutating func keep(_ m: SentMessage) {
        if let last = messages.last, last.mark.interface != m.mark.interface, abs(m.mark.time.seconds(since: last.mark.time)) < 0.001,
           last.length == m.length, last.destination == m.destination, last.message?.opcode == m.message?.opcode,
           last.delivery.sourcePort == m.delivery.sourcePort {
            duplicateFrames += 1
            return
        }
        guard messages.count < limits.maxMessages else {
            messagesNotKept += 1
            return
        }
        messages.append(m)
    }

    /// The latest upgrade order (or datagram naming the file as text) for
    /// `file` in the minute before `time`.
    func recentOrder(naming file: String, before time: CaptureTimestamp) -> Int? {
        var i = messages.count - 1
        while i >= 0 {
            let m = messages[i]
            if time.seconds(since: m.mark.time) > 60 { return nil }
            if m.kind == .upgrade || (m.message == nil && m.textName != nil), let name = m.fileName, sameFile(name, file) { return i }
            i -= 1
        }
        return nil
    }

    /// The messages that reached phone `p`, each judged with what is known
    /// of the phone: group and broadcast messages reach every phone; others
    /// the phone whose address they were sent to (an address it had at any
    /// time, so that requests sent before its reply are tied to it once its
    /// address is known).
    func judge(for p: Int, _ story: SOSPhoneStory) -> [Judged] {
        var result: [Judged] = []
        for (i, m) in messages.enumerated() {
            let followed = m.followers.contains(p)
            guard let destination = m.destination else { continue }
            let unicast = !m.isForEveryPhone
            if unicast, !followed, !story.identity.addresses.contains(destination), destination != subnetBroadcast(story) { continue }
            guard let message = m.message else {
                result.append(Judged(index: i, rules: [], notSOS: !followed, dropped: !followed))
                continue
            }
            let facts = SOSPhoneFacts(address: unicast && story.identity.addresses.contains(destination) ? destination : story.identity.address,
                                      prefixLength: story.prefixLength, serial: story.serialBytes)
            let rules = message.ruleViolations(delivery: m.delivery, phone: facts)
            // A serial that is another phone's: meant for that phone, not for this one.
            if rules.contains(where: { if case .serialMismatch = $0 { true } else { false } }), let sent = message.serial?.bytes,
               registry.stories.indices.contains(where: { $0 != p && registry.stories[$0].serialBytes == sent }) {
                continue
            }
            result.append(Judged(index: i, rules: rules, notSOS: false, dropped: !followed && rules.contains(where: \.dropsMessage)))
        }
        return result
    }

    func subnetBroadcast(_ story: SOSPhoneStory) -> IPv4Address? {
        SOSPhoneFacts(address: story.identity.address, prefixLength: story.prefixLength).subnetBroadcast
    }

    /// A message no phone can be tied to, judged by what it alone shows.
    func judgeAlone(_ i: Int) -> Judged {
        let m = messages[i]
        guard let message = m.message else { return Judged(index: i, rules: [], notSOS: true, dropped: true) }
        let rules = message.ruleViolations(delivery: m.delivery)
        return Judged(index: i, rules: rules, notSOS: false, dropped: rules.contains(where: \.dropsMessage))
    }
}
