import FleetIndex
import GatewayKit

/// Where the console and `wamod guard` learn of changes: a gateway's event stream where it
/// pushes them, else polling within the read budget.
public enum EventSourceKind: String, Sendable, Hashable {
    case websocket, webhook, polling
}
