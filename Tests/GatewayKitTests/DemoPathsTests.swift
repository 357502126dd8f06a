import Foundation
import Testing
@testable import GatewayKit

/// Where `wamod demo` keeps its rehearsals, and the gateway they name.
@Suite("demo state paths")
struct DemoPathsTests {
    @Test("one directory per demo world under the state directory's demo/, or beside $WAMOD_AUDIT")
    func directory() {
        let world = Paths.demoWorld(dialect: "wawp", fixture: "demo", seed: 7)
        #expect(world == "wawp-demo-seed7")
        let xdg = Paths(environment: ["HOME": "/home/op", "XDG_STATE_HOME": "/var/state"])
        #expect(xdg.demoDirectory(world: world) == "/var/state/wamod/demo/wawp-demo-seed7")
        let home = Paths(environment: ["HOME": "/home/op"])
        #expect(home.demoDirectory(world: world) == "/home/op/.local/state/wamod/demo/wawp-demo-seed7")
        // Never the real audit log's own directory: a demo/ beside it.
        let given = Paths(environment: ["HOME": "/home/op", "WAMOD_AUDIT": "/srv/audit/wamod.jsonl"])
        #expect(given.demoDirectory(world: world) == "/srv/audit/demo/wawp-demo-seed7")
        #expect(Paths(environment: ["HOME": "/home/op", "WAMOD_AUDIT": ""]).demoDirectory(world: world) == home.demoDirectory(world: world))
        // The journal is beside the rehearsal's audit log, not the real one.
        let journal = Journal.beside(auditPath: home.demoDirectory(world: world) + "/audit.jsonl")
        #expect(journal.directory == "/home/op/.local/state/wamod/demo/wawp-demo-seed7/journal")
        #expect(journal.directory != Journal.beside(auditPath: home.stateDirectory + "/audit.jsonl").directory)
    }

    @Test("the same world is the same gateway on every run; another world is another")
    func gateway() {
        let a = Paths.demoGateway(world: Paths.demoWorld(dialect: "v1", fixture: "demo", seed: 1))
        #expect(a == "wamod-demo:v1-demo-seed1")
        #expect(a == Paths.demoGateway(world: Paths.demoWorld(dialect: "v1", fixture: "demo", seed: 1)))
        #expect(a != Paths.demoGateway(world: Paths.demoWorld(dialect: "v1", fixture: "demo", seed: 2)))
        #expect(a != Paths.demoGateway(world: Paths.demoWorld(dialect: "wasend", fixture: "demo", seed: 1)))
        // Not a URL any profile could have: a real gateway's journal is never offered to the demo.
        #expect(URL(string: a)?.host == nil)
    }
}
