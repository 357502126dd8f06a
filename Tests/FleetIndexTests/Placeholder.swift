import Testing
@testable import FleetIndex

@Suite struct FileNameTests {
    @Test func profileNamesBecomeSafeFileNames() {
        #expect(FileName.safe("prod") == "prod")
        #expect(FileName.safe("../etc/x") == "_.._etc_x")
        #expect(FileName.safe("a b/c") == "a_b_c")
    }
}
