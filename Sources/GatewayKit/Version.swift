public enum GatewayKitVersion { public static let string = "0.1.0" }
