import Foundation

// Fuzz target `jid`: the input as UTF-8 text, through every way an id typed by an operator or
// read from a gateway becomes a JID: JID(parsing:), JID.member, JID.group, JID.lenient, the
// phone-number form (no `@`), the Codable form (a JSON string), and back out through `string`,
// `cUs` and `phoneNumber`. Each form that parses must parse again to the same JID.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = FuzzInput.text(data, size)
    // The same text with a `+`, and as a phone number: the phone parser gets the input whole.
    for raw in [text, "+" + text, text + "@s.whatsapp.net", text + "@g.us", text + "@lid"] {
        check(raw)
    }
    // The Codable form, as a profile or the journal stores an id.
    if let json = try? JSONEncoder().encode([text]),
       let decoded = try? JSONDecoder().decode([JID].self, from: json) {
        guard decoded.count == 1, decoded[0] == (try? JID(parsing: text)) else {
            fatalError("invariant: JID decoded from JSON differs from JID(parsing:) for \(text.debugDescription)")
        }
        if let again = try? JSONEncoder().encode(decoded), (try? JSONDecoder().decode([JID].self, from: again)) != decoded {
            fatalError("invariant: JID's JSON form does not decode to itself for \(text.debugDescription)")
        }
    }
    return 0
}

private func check(_ raw: String) {
    let parsed: JID?
    do { parsed = try JID(parsing: raw) } catch {
        parsed = nil
        FuzzCheck.touch(error.description)
        FuzzCheck.touch(error.problem)
    }
    let member = try? JID.member(raw)
    let group = try? JID.group(raw)
    let lenient = JID.lenient(raw)

    if raw.isEmpty {
        guard lenient == nil else { fatalError("invariant: JID.lenient accepted an empty string") }
    } else if lenient != parsed {
        fatalError("invariant: JID.lenient and JID(parsing:) disagree on \(raw.debugDescription)")
    }
    if let member, member.kind == .group || member != parsed {
        fatalError("invariant: JID.member gave \(member) for \(raw.debugDescription)")
    }
    if let group, group.kind != .group || group != parsed {
        fatalError("invariant: JID.group gave \(group) for \(raw.debugDescription)")
    }
    if let parsed {
        if parsed.kind == .group {
            guard member == nil, group != nil else { fatalError("invariant: member/group split wrong for \(raw.debugDescription)") }
        } else {
            guard member != nil, group == nil else { fatalError("invariant: member/group split wrong for \(raw.debugDescription)") }
        }
        roundTrip(parsed, raw)
    }
}

private func roundTrip(_ jid: JID, _ raw: String) {
    // Digits only (groups: digits or digits-digits): these go into paths and bodies as they are.
    let parts = jid.user.split(separator: "-", omittingEmptySubsequences: false)
    let allowed = jid.kind == .group ? 1...2 : 1...1
    guard allowed.contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }) else {
        fatalError("invariant: \(raw.debugDescription) parsed to a JID whose user part is not digits: \(jid.user.debugDescription)")
    }
    for form in [jid.string, jid.cUs, jid.description] {
        guard (try? JID(parsing: form)) == jid else {
            fatalError("invariant: \(jid) written as \(form.debugDescription) does not parse back to itself (from \(raw.debugDescription))")
        }
    }
    if let phone = jid.phoneNumber {
        guard jid.kind == .user else { fatalError("invariant: phoneNumber for a non-user JID") }
        // A phone number read back is the same account (when it has a phone number's length).
        if (7...15).contains(jid.user.count), (try? JID(parsing: phone)) != jid {
            fatalError("invariant: \(phone.debugDescription) does not parse back to \(jid)")
        }
    } else if jid.kind == .user {
        fatalError("invariant: a user JID without a phoneNumber")
    }
    FuzzCheck.touch(jid.server)
    _ = jid < FuzzIDs.user
    var h = Hasher(); h.combine(jid); FuzzCheck.sink &+= h.finalize()
}
