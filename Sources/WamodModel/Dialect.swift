import Foundation

/// The dialects wamod speaks (see docs: gateways.md).
public enum Dialect: String, Sendable, Hashable, Codable, CaseIterable {
    case v1, wasend, waha, wuts, wawp, evolution
}
