// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "wamod",
    // Built and tested on Linux only: Debian 12, x86_64. The console's terminal code uses
    // Linux calls (pipe2, memfd_create) and ncursesw's header path, so no Apple platform is
    // claimed; `platforms` names Apple systems only, and Linux needs no entry.
    products: [
        .executable(name: "wamod", targets: ["wamod"]),
        .library(name: "WamodModel", targets: ["WamodModel"]),
        .library(name: "GatewayKit", targets: ["GatewayKit"]),
        .library(name: "GatewaySim", targets: ["GatewaySim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The fleet index and the watchlist (SQLite, WAL).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // The emulator's event WebSocket (WAHA's `/ws`).
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        // A profile's token_command: its standard error kept for the operator, a timeout
        // that stops it and what it started, and the terminal handed over so it can prompt.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // The model (entities, JIDs, results, errors, dialect names): the one vocabulary the
        // client and the emulator share. The emulator depends on it alone, so it cannot reach
        // into the client.
        .target(name: "WamodModel"),
        .target(name: "GatewayKit", dependencies: ["WamodModel", .product(name: "Subprocess", package: "swift-subprocess"),
                                                   // The request log and errors (`--log-file`, `WAMOD_LOG`).
                                                   .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "GatewaySim",
            dependencies: [
                "WamodModel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The fleet index: sessions, groups and participants in SQLite, the paced sync that
        // fills it, and the watchlist beside it.
        .target(name: "FleetIndex", dependencies: ["GatewayKit", .product(name: "GRDB", package: "GRDB.swift")]),
        // Live events: each dialect's events decoded, the streams and webhooks they arrive
        // by, and the follower that keeps the index current (polling when events stop).
        .target(name: "FleetEvents", dependencies: [
            "GatewayKit", "FleetIndex",
            // `wamod listen`'s webhook receiver.
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            // The WebSocket client for WAHA's /ws (no TLS: see WebSocketConnection.swift).
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // pkg-config is what makes SwiftPM print the install hint when the library is missing;
        // it warns that it drops the .pc file's -D flags ("prohibited flag(s)"), which the
        // shim does not need: it defines what it needs itself.
        .systemLibrary(name: "CNCursesW", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        .target(name: "Console", dependencies: ["GatewayKit", "FleetIndex", "FleetEvents"]),
        // The commit `wamod --version` names, written at build time by the plugin.
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),
        .target(name: "BuildInfo", plugins: ["BuildInfoPlugin"]),
        .target(name: "ConsoleTerminal", dependencies: ["Console", "CNCursesW"]),
        .executableTarget(
            name: "wamod",
            dependencies: [
                "GatewayKit",
                "GatewaySim",
                "FleetIndex",
                "FleetEvents",
                "Console",
                "ConsoleTerminal",
                "BuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What the test suites share: an emulator served over loopback with a client on it,
        // raw HTTP to the emulator, running the built binary, and a tmux driver.
        .target(name: "TestSupport", dependencies: ["GatewayKit", "GatewaySim"], path: "Tests/TestSupport"),
        .testTarget(name: "GatewayKitTests", dependencies: ["GatewayKit", "TestSupport"]),
        .testTarget(name: "FleetIndexTests", dependencies: ["FleetIndex", "GatewayKit", "GatewaySim", "TestSupport"]),
        .testTarget(name: "FleetEventsTests", dependencies: [
            "FleetEvents", "FleetIndex", "GatewayKit", "GatewaySim", "TestSupport",
            // A loopback webhook sink, to see what the emulator posts.
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "GatewaySimTests", dependencies: ["GatewayKit", "GatewaySim", "TestSupport"]),
        .testTarget(name: "ClientEmulatorTests", dependencies: ["GatewayKit", "GatewaySim", "TestSupport"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "GatewayKit", "GatewaySim", "TestSupport"]),
        .testTarget(name: "ConsoleTerminalTests", dependencies: ["ConsoleTerminal", "Console"]),
        .testTarget(name: "EndToEndTests", dependencies: ["GatewayKit", "GatewaySim", "TestSupport", "wamod"]),
    ],
    swiftLanguageModes: [.v6]
)
