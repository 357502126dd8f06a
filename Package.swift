// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "wamod",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "wamod", targets: ["wamod"]),
        .library(name: "GatewayKit", targets: ["GatewayKit"]),
        .library(name: "GatewaySim", targets: ["GatewaySim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .target(
            name: "GatewayKit",
            dependencies: [.product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "GatewaySim",
            dependencies: [
                "GatewayKit",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .systemLibrary(name: "CNCursesW"),
        .target(name: "Console", dependencies: ["GatewayKit"]),
        .target(name: "ConsoleTerminal", dependencies: ["Console", "CNCursesW"]),
        .executableTarget(
            name: "wamod",
            dependencies: [
                "GatewayKit",
                "GatewaySim",
                "Console",
                "ConsoleTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "GatewayKitTests", dependencies: ["GatewayKit"]),
        .testTarget(name: "GatewaySimTests", dependencies: ["GatewayKit", "GatewaySim"]),
        .testTarget(name: "ClientEmulatorTests", dependencies: ["GatewayKit", "GatewaySim"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "GatewayKit", "GatewaySim"]),
        .testTarget(name: "ConsoleTerminalTests", dependencies: ["ConsoleTerminal", "Console"]),
        .testTarget(name: "EndToEndTests", dependencies: ["GatewayKit", "GatewaySim", "wamod"]),
    ],
    swiftLanguageModes: [.v6]
)
