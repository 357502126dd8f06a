import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GatewayKit
import TestSupport
@testable import GatewaySim
import Testing

/// The faults a real gateway shows, injected by counters and by shares, over loopback HTTP.
@Suite struct FaultInjectionTests {
    let membersPath = "/api/v1/sessions/\(T.alpha)/groups/\(enc(T.teamAlpha))/members"
    func removePath(_ member: JID) -> String { membersPath + "/" + enc(member) }

    func isPresent(_ world: World, _ member: JID) -> Bool {
        world.members(session: T.alpha, group: T.teamAlpha)?.contains { $0.matches(member) } ?? false
    }

    /// Whether the body parses as JSON at all.
    func parses(_ a: Answer) -> Bool { (try? JSONSerialization.jsonObject(with: a.body)) != nil }

    /// A well-formed answer whose JSON is cut short: 200, Content-Length that of the cut body.
    func expectCutShort(_ a: Answer, _ what: String = "") {
        #expect(a.status == 200, "\(what)")
        #expect(!a.body.isEmpty && !parses(a), "\(what): \(a.text)")
        #expect(a.header("Content-Length") == String(a.body.count), "\(what)")
    }

    func attempt(_ body: () async throws -> Answer) async -> Result<Answer, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    // MARK: Counters

    @Test func truncatedNextIsCarriedOutThenCutShort() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            world.updateFaults { $0.truncatedNext = 1 }
            let member = T.plainMembers[0]
            // A read does not use the counter up: only mutating requests do.
            #expect(try await send("GET", sim.baseURL, membersPath).status == 200)
            let a = try await send("DELETE", sim.baseURL, removePath(member))
            expectCutShort(a, "v1's 204 becomes a cut 200")
            #expect(!isPresent(world, member))
            #expect(world.faults.truncatedNext == 0)
            #expect(try await send("DELETE", sim.baseURL, removePath(T.plainMembers[1])).status == 204)
        }
    }

    @Test func truncatedNextCutsARealJSONAnswerAboutInHalf() async throws {
        let world = tinyWorld()
        try await withSim(.wasend, world: world) { sim async throws in
            let path = "/\(T.alpha)/groups/\(T.teamAlpha.string)/participants"
            let whole = try await send("DELETE", sim.baseURL, path, json: ["participants": [T.plainMembers[0].string]])
            #expect(whole.status == 200 && parses(whole))
            world.updateFaults { $0.truncatedNext = 1 }
            let cut = try await send("DELETE", sim.baseURL, path, json: ["participants": [T.plainMembers[1].string]])
            expectCutShort(cut)
            #expect(!isPresent(world, T.plainMembers[1]))
            // About half of a whole answer of the same shape, and the start of it.
            #expect(cut.body.count < whole.body.count && cut.body.count >= whole.body.count / 3)
            #expect(cut.text.hasPrefix("{"))
        }
    }

    @Test func truncatedUnappliedNextIsNotCarriedOut() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            world.updateFaults { $0.truncatedUnappliedNext = 1 }
            let member = T.plainMembers[0]
            let a = try await send("DELETE", sim.baseURL, removePath(member))
            expectCutShort(a)
            #expect(isPresent(world, member))
            #expect(world.ledger().isEmpty)
            #expect(try await send("DELETE", sim.baseURL, removePath(member)).status == 204)
            #expect(!isPresent(world, member))
        }
    }

    @Test func countersComeBeforeShares() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            world.updateFaults { $0.htmlNext = 1; $0.serverErrorRate = 1 }
            #expect(try await send("GET", sim.baseURL, "/api/v1/sessions").status == 502)
            #expect(try await send("GET", sim.baseURL, "/api/v1/sessions").status == 500)
        }
    }

    // MARK: Shares

    /// One fault's share at 1 and then at 0, over a few reads and a few removals.
    func checkShare(_ name: String, set: (inout Faults, Double) -> Void,
                    expectFault: (Result<Answer, any Error>, String) -> Void) async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            world.updateFaults { f in set(&f, 1); f.stallMs = 50 }
            for i in 0..<3 {
                let read = await attempt { try await send("GET", sim.baseURL, "/api/v1/sessions") }
                expectFault(read, "\(name) read \(i)")
                let removal = await attempt { try await send("DELETE", sim.baseURL, removePath(T.plainMembers[i])) }
                expectFault(removal, "\(name) removal \(i)")
            }
            world.updateFaults { f in set(&f, 0) }
            for i in 3..<6 {
                #expect(try await send("GET", sim.baseURL, "/api/v1/sessions").status == 200, "\(name) at 0")
                #expect(try await send("DELETE", sim.baseURL, removePath(T.plainMembers[i])).status == 204, "\(name) at 0")
            }
        }
    }

    @Test func serverErrorShare() async throws {
        try await checkShare("5xx", set: { $0.serverErrorRate = $1 }) { r, what in
            let a = try? r.get()
            #expect(a?.status == 500, "\(what)")
            #expect((a?.object["error"] as? [String: Any])?["code"] is String, "\(what): the dialect's own body")
        }
    }

    @Test func rateLimitShare() async throws {
        try await checkShare("429", set: { $0.rateLimitRate = $1; $0.rateLimitRetryAfter = 4 }) { r, what in
            let a = try? r.get()
            #expect(a?.status == 429 && a?.header("Retry-After") == "4", "\(what)")
            #expect(((a?.object["error"] as? [String: Any])?["code"] as? String) == "rate_limited", "\(what)")
        }
    }

    @Test func dropShare() async throws {
        try await checkShare("reset", set: { $0.dropRate = $1 }) { r, what in
            if case .success(let a) = r { Issue.record("\(what): answered \(a.status), expected no answer") }
        }
    }

    @Test func htmlShare() async throws {
        try await checkShare("html", set: { $0.htmlRate = $1 }) { r, what in
            let a = try? r.get()
            #expect(a?.status == 502 && a?.header("Content-Type")?.hasPrefix("text/html") == true, "\(what)")
        }
    }

    @Test func truncatedShare() async throws {
        try await checkShare("truncate", set: { $0.truncatedRate = $1 }) { r, what in
            guard let a = try? r.get() else { Issue.record("\(what): no answer"); return }
            expectCutShort(a, what)
        }
    }

    @Test func truncatedShareSplitsMutationsBetweenCarriedOutAndNot() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            world.updateFaults { $0.truncatedRate = 1 }
            // Promote and demote Bruno back and forth: every answer is cut short; some changed the role.
            let path = membersPath + "/" + enc(T.otherAdmin)
            var cut = 0
            for i in 0..<24 {
                let a = try await send("POST", sim.baseURL, path + (i % 2 == 0 ? "/demote" : "/promote"))
                if a.status == 200 && !parses(a) { cut += 1 }
            }
            #expect(cut == 24)
            let changes = world.ledger().count
            #expect(changes > 0 && changes < 24, "carried out \(changes) of 24")
        }
    }

    @Test func stallShare() async throws {
        try await checkShare("stall", set: { $0.stallRate = $1 }) { r, what in
            #expect((try? r.get())?.status != nil, "\(what): a stalled request is answered in the end")
        }
    }

    /// A stalled mutation is carried out at once; only its answer is held (WorldOptions'
    /// `stallRate`): what a client that gives up must settle by reading the group again.
    @Test func stallCarriesTheChangeOutAtOnceAndHoldsTheAnswer() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            let stall = 1500
            world.updateFaults { $0.stallRate = 1; $0.stallMs = stall; $0.ratesOnMutationsOnly = true }
            let member = T.plainMembers[0]
            let start = ContinuousClock.now
            let answered = Mutexed(false)
            let pending = Task {
                let a = try await send("DELETE", sim.baseURL, removePath(member))
                answered.set(true)
                return a
            }
            // The change is made while the answer is still held (a loaded machine may be slow to
            // send the request at all: the wait is for its arrival first).
            while world.arrivals().isEmpty && ContinuousClock.now - start < .seconds(30) {
                try await Task.sleep(for: .milliseconds(5))
            }
            let arrived = ContinuousClock.now
            while isPresent(world, member) && ContinuousClock.now - arrived < .seconds(30) {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(!isPresent(world, member), "carried out before the answer")
            if ContinuousClock.now - start < .milliseconds(stall) { #expect(!answered.get(), "the answer is held for the stall") }
            let a = try await pending.value
            #expect(a.status == 204)
            #expect(ContinuousClock.now - start >= .milliseconds(stall))  // a lower bound only
            #expect(world.ledger().filter { $0.action == "remove" }.count == 1, "carried out once")
        }
    }

    @Test func stallCarriesTheChangeOutAfterTheClientGaveUp() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            world.updateFaults { $0.stallRate = 1; $0.stallMs = 1500; $0.ratesOnMutationsOnly = true }
            let config = URLSessionConfiguration.ephemeral
            config.timeoutIntervalForRequest = 0.5
            config.timeoutIntervalForResource = 0.5
            let member = T.plainMembers[0]
            // On a loaded machine the client may give up before its request even left (nothing
            // arrives then): that attempt proves nothing, so it is made again.
            for _ in 0..<5 where world.arrivalCount == 0 {
                let impatient = URLSession(configuration: config)
                await #expect(throws: (any Error).self) {
                    _ = try await send("DELETE", sim.baseURL, removePath(member), session: impatient)
                }
                let settle = ContinuousClock.now + .seconds(2)
                while world.arrivalCount == 0 && ContinuousClock.now < settle { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(world.arrivalCount == 1)
            let deadline = ContinuousClock.now + .seconds(10)
            while isPresent(world, member) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!isPresent(world, member))
            #expect(world.ledger().map(\.target) == [member.string])
        }
    }

    @Test func sharesOnMutationsOnlyLeaveReadsClean() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            world.updateFaults { $0.serverErrorRate = 1; $0.ratesOnMutationsOnly = true }
            for _ in 0..<5 {
                #expect(try await send("GET", sim.baseURL, "/api/v1/sessions").status == 200)
                #expect(try await send("GET", sim.baseURL, membersPath).status == 200)
            }
            #expect(try await send("DELETE", sim.baseURL, removePath(T.plainMembers[0])).status == 500)
            #expect(isPresent(world, T.plainMembers[0]))
            world.updateFaults { $0.ratesOnMutationsOnly = false }
            #expect(try await send("GET", sim.baseURL, "/api/v1/sessions").status == 500)
        }
    }

    @Test func sharesAreReproducibleFromTheSeed() {
        func draws(_ seed: UInt64) -> [FaultDecision.Action] {
            let world = World.fixture(.tiny, seed: seed, options: .unlimited)
            world.updateFaults { $0.serverErrorRate = 0.2; $0.rateLimitRate = 0.2; $0.dropRate = 0.2; $0.truncatedRate = 0.2 }
            return (0..<200).map { world.nextFault(mutating: $0 % 2 == 0).action }
        }
        let a = draws(7)
        #expect(a == draws(7))
        #expect(a != draws(8))
        // Shares laid end to end: each of the four shows up, and so does no fault at all.
        #expect(a.contains(.serverError(500)) && a.contains(.rateLimited(2)) && a.contains(.drop))
        #expect(a.contains(.truncated(applied: true)) && a.contains(.truncated(applied: false)) && a.contains(.none))
        #expect(!a.enumerated().contains { $0.offset % 2 == 1 && $0.element == .truncated(applied: false) },
                "a read is never 'not carried out'")
    }

    // MARK: What really happened

    @Test func arrivalsRecordEveryRequestEvenADroppedOne() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            world.updateFaults { $0.dropNext = 1 }
            await #expect(throws: (any Error).self) { _ = try await send("GET", sim.baseURL, "/api/v1/sessions?limit=5") }
            _ = try await send("DELETE", sim.baseURL, removePath(T.plainMembers[0]))
            #expect(world.arrivals() == [SimArrival(method: "GET", path: "/api/v1/sessions"),
                                         SimArrival(method: "DELETE", path: removePath(T.plainMembers[0]))])
            #expect(world.arrivalCount == 2)
            // The admin view's own requests are not arrivals.
            _ = try await send("GET", sim.baseURL, "/_sim/arrivals")
            #expect(world.arrivalCount == 2)
        }
    }

    @Test func ledgerHoldsOnlyEffectiveChanges() async throws {
        let world = tinyWorld()
        try await withSim(.v1, world: world) { sim async throws in
            let member = T.plainMembers[0]
            #expect(try await send("DELETE", sim.baseURL, removePath(member)).status == 204)
            #expect(try await send("DELETE", sim.baseURL, removePath(member)).status == 204)  // idempotent, changes nothing
            #expect(try await send("DELETE", sim.baseURL, removePath(T.creator)).status != 204)  // creator immunity
            _ = try await send("POST", sim.baseURL, membersPath + "/" + enc(T.otherAdmin) + "/promote")  // already an admin
            _ = try await send("POST", sim.baseURL, membersPath + "/" + enc(T.otherAdmin) + "/demote")
            _ = try await send("POST", sim.baseURL, membersPath + "/" + enc(T.lidOnlyMember) + "/promote")
            _ = try await send("POST", sim.baseURL, membersPath, json: ["participants": [member.string, T.notOnWhatsApp.string]])
            _ = try await send("POST", sim.baseURL, "/api/v1/sessions/\(T.alpha)/groups/\(enc(T.readers)):leave")
            let ledger = world.ledger()
            #expect(ledger.map(\.action) == ["remove", "demote", "promote", "add", "leave"])
            #expect(ledger.map(\.target) == [member.string, T.otherAdmin.string, T.lidOnlyMember.string, member.string,
                                             T.alphaAccount.string])
            #expect(ledger.map(\.group) == Array(repeating: T.teamAlpha.string, count: 4) + [T.readers.string])
            #expect(ledger.map(\.seq) == [1, 2, 3, 4, 5])
            #expect(Set(ledger.map(\.session)) == [T.alpha])
            #expect(zip(ledger, ledger.dropFirst()).allSatisfy { $0.at <= $1.at })
        }
    }

    @Test func boundedLogKeepsTheNewest() {
        var log = BoundedLog<Int>(capacity: 3)
        for i in 1...2 { log.append(i) }
        #expect(log.elements == [1, 2])
        for i in 3...7 { log.append(i) }
        #expect(log.elements == [5, 6, 7] && log.total == 7 && log.count == 3)
    }

    // MARK: Naming the shares

    @Test func faultRateListsParseAndRefuseClearly() throws {
        let rates = try FaultRate.parse("5xx=0.1, 429=0.05,reset=0.02,truncate=0.01,html=0.01,stall=0.01")
        #expect(rates == [.serverError: 0.1, .rateLimited: 0.05, .reset: 0.02, .truncate: 0.01, .html: 0.01, .stall: 0.01])
        #expect(try FaultRate.parse("") == [:])
        #expect(throws: FaultRateError.unknownName("boom")) { try FaultRate.parse("boom=0.1") }
        #expect(throws: FaultRateError.badShare("5xx", "1.5")) { try FaultRate.parse("5xx=1.5") }
        #expect(throws: FaultRateError.badShare("5xx", "x")) { try FaultRate.parse("5xx=x") }
        #expect(throws: FaultRateError.repeated("html")) { try FaultRate.parse("html=0.1,html=0.2") }
        #expect(throws: FaultRateError.malformed("stall")) { try FaultRate.parse("stall") }
        var f = Faults.none
        f.serverErrorRate = 0.5
        FaultRate.replaceAll(in: &f, with: [.stall: 0.25])
        #expect(f.serverErrorRate == 0 && f.stallRate == 0.25)
    }
}
