import Foundation

extension Dialect {
    /// Each dialect's codec: the one table a new dialect joins (the switch is exhaustive, so
    /// a new case does not build until it is here). The factory and the probe read it.
    public var codec: any DialectCodec.Type {
        switch self {
        case .v1: V1Codec.self
        case .wasend: WasendCodec.self
        case .waha: WAHACodec.self
        case .wuts: WUTSCodec.self
        case .wawp: WawpCodec.self
        case .evolution: EvolutionCodec.self
        }
    }

    /// What the dialect can do, without a gateway at hand.
    public var capabilities: Capabilities { codec.capabilities }
}
