/// The phones the S.O.S. diagnosis follows: their stories, found by MAC
/// address (the key of a story) or, on link types without one, by an
/// address the phone had. Bounded: `maxPhones` stories, at most
/// `maxAddressesPerPhone` addresses each in the address map.
@usableFromInline
struct SOSPhoneRegistry {
    /// Addresses remembered per phone (a phone may change address).
    static let maxAddressesPerPhone = 16

    let limits: SOSDiagnosis.Limits
    var stories: [SOSPhoneStory] = []
    var byMAC = MACIndex()
    var byIP: [IPv4Address: Int] = [:]
    var notFollowed = 0
    /// How many phones are followed (read on every frame).
    @usableFromInline var count = 0
    /// The phones whose download has begun, by MAC (and address for link
    /// types without one): every frame's source is compared with them, to
    /// catch the phone's first frame after the download.
    @usableFromInline var watched: [WatchedPhone] = []

    init(limits: SOSDiagnosis.Limits) { self.limits = limits }

    /// A phone whose frames are watched.
    @usableFromInline
    struct WatchedPhone {
        @usableFromInline var mac: MACAddress?
        @usableFromInline var address: IPv4Address?
        @usableFromInline var phone: Int
    }

    /// The phone with `mac`, made when `create` and the limit allows.
    mutating func phone(_ mac: MACAddress, create: Bool, at mark: SOSPhoneStory.Mark) -> Int? {
        if let i = byMAC[mac] { return i }
        guard create, !mac.isMulticast, mac != .broadcast else { return nil }
        guard stories.count < limits.maxPhones else {
            notFollowed += 1
            return nil
        }
        byMAC.insert(mac, stories.count)
        stories.append(SOSPhoneStory(mac: mac, at: mark, maxEvents: limits.maxEventsPerPhone, maxAttempts: limits.maxAttemptsPerPhone))
        count = stories.count
        return stories.count - 1
    }

    /// The phone a frame comes from: by its source MAC, else its source address.
    mutating func phone(from c: SOSDiagnosis.FrameContext, create: Bool) -> Int? {
        if let mac = c.sourceMAC { return phone(mac, create: create, at: c.mark) }
        return byIP[c.ip.source]
    }

    /// Phone `p` has `address` now.
    mutating func learn(_ p: Int, address: IPv4Address) {
        guard address != stories[p].identity.address, address != .any, address != .broadcast, !address.isMulticast else { return }
        let known = stories[p].identity.addresses.count
        stories[p].learn(address: address)
        // Bounded: an address the story keeps, or the latest when it keeps no more.
        if byIP[address] != nil || known < Self.maxAddressesPerPhone || byIP.count < Self.maxAddressesPerPhone * limits.maxPhones {
            byIP[address] = p
        }
        if let w = watched.firstIndex(where: { $0.phone == p }) { watched[w].address = address }
    }

    /// Watches phone `p`'s frames from now on (its download began).
    mutating func watch(_ p: Int) {
        if let w = watched.firstIndex(where: { $0.phone == p }) {
            watched[w].mac = stories[p].identity.mac
            watched[w].address = stories[p].identity.address
        } else {
            watched.append(WatchedPhone(mac: stories[p].identity.mac, address: stories[p].identity.address, phone: p))
        }
    }

    /// The watched phone a frame comes from: a scan of a few, else by hashing.
    @inlinable
    func watchedPhone(mac: MACAddress?, address: IPv4Address?) -> Int? {
        if watched.count > 8 { return watchedByHash(mac: mac, address: address) }
        for w in watched {
            if let mac {
                if w.mac == mac { return w.phone }
            } else if let address, w.address == address {
                return w.phone
            }
        }
        return nil
    }

    @usableFromInline
    func watchedByHash(mac: MACAddress?, address: IPv4Address?) -> Int? {
        let found = mac.flatMap { byMAC[$0] } ?? (mac == nil ? address.flatMap { byIP[$0] } : nil)
        // Only a phone whose download began has frames worth a look (watchedFrame needs its port).
        guard let found, stories[found].downloadPort != nil else { return nil }
        return found
    }
}
