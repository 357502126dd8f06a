import ArgumentParser
import GatewayKit
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sim", abstract: "Run the gateway emulator.")
    func run() async throws {}
}
