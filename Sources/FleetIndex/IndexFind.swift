import Foundation
import GatewayKit

/// `f` and `wamod find` from the index: the hits at once, with their age; before anything
/// is changed, the groups involved read live (the index never decides an action alone).
public enum IndexFind {
    /// The groups of `hits` read live through `sync` (so the index follows), with the
    /// sessions listed live once: where `who` is now, as `FindEverywhere` reports it. A
    /// group where they no longer are is not a hit; one that cannot be read is in
    /// `notSearched`.
    public static func confirm(_ who: JID, hits: [IndexHit], sync: FleetSync) async -> FindEverywhere.Report {
        fatalError("IndexFind: not built yet")
    }
}
