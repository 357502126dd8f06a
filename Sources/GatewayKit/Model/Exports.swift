// The model types (sessions, groups, participants, JIDs, results, errors) live in a target of
// their own, which the emulator builds on without the client; every user of the client sees
// them through it.
@_exported import WamodModel
