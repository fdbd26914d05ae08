/// The version of the numbers: what a trace cache keys on (with the demo's resolved
/// configuration), so that traces computed before a change are not reused after it, and nothing
/// else (not the executable's date: a rebuild that changes no number keeps every cached trace).
///
/// Bump it with every change to the engine or to a model that may change a trace's bytes: an
/// op's arithmetic, a draw order, a scope's name or equation, a title, what `config` records.
public enum EngineVersion {
    public static let current = 9
}
