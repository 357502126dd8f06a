import Foundation
import WamodModel

extension RunningSim {
    /// Whether this server pushes events (its vendor documents them: WAHA, Wawp, WUTS,
    /// Evolution).
    public var pushesEvents: Bool { events.pushes }

    /// WAHA's event WebSocket on this server (`ws://…/ws`); nil for other dialects.
    public var eventSocketURL: URL? {
        guard dialect == .waha else { return nil }
        return URL(string: baseURL.absoluteString.replacingOccurrences(of: "http://", with: "ws://") + EventSocket.path)
    }

    /// Posts the world's events to `hook`, in this server's dialect; false when the dialect
    /// documents no webhooks.
    @discardableResult
    public func addWebhook(_ hook: SimWebhook) -> Bool { events.addWebhook(hook) }

    public func removeWebhooks() { events.removeWebhooks() }

    public func webhookStatus() -> [SimWebhookStatus] { events.webhookStatus() }

    /// Closes (every connection ends, new ones are refused) or opens WAHA's event WebSocket.
    public func setEventSocketOpen(_ open: Bool) { events.setSocketsOpen(open) }

    /// Ends every open event WebSocket connection (new ones are accepted).
    public func closeEventSockets() { events.closeSockets() }

    /// How many event WebSocket connections are open.
    public var openEventSockets: Int { events.openSockets }
}
