import Display

/// Everything a key can do in the console.
public enum Action: Sendable, Equatable {
    case moveUp, moveDown, top, bottom, pageUp, pageDown
    case open, back
    case view(Route)
    /// A view of the current (or selected) job: its vertices, checkpoints or exceptions.
    case jobView(JobView)
    /// A job action: opens its confirmation or form.
    case job(JobForm.Kind)
    case filter, command
    case sortNext, sortPrevious, invertSort
    case freeze
    case toggleWide, scrollColumnsLeft, scrollColumnsRight
    case toggleRecording, addMarker
    /// A replay key (only in `sluice replay`).
    case replayKey(ReplayKey)
    case refreshFaster, refreshSlower
    case help
    case quit
}

/// One binding: keys, what they do and how help describes them. The key map is the single
/// source for dispatch, the help view and the footer.
public enum JobView: Sendable, Equatable { case vertices, checkpoints, exceptions }

public struct KeyBinding: Sendable {
    public var keys: [Key]
    public var label: String
    public var action: Action
    public var help: String
    /// Shown in the footer when true.
    public var inFooter: Bool
    /// The footer's one-word description (defaults to the first word of `help`).
    public var footerText: String?
    /// False for a key described on another key's help line (`l` beside `h`).
    public var listed: Bool

    init(keys: [Key], label: String, action: Action, help: String, inFooter: Bool, footerText: String? = nil, listed: Bool = true) {
        self.keys = keys; self.label = label; self.action = action; self.help = help; self.inFooter = inFooter; self.footerText = footerText
        self.listed = listed
    }
}

public enum KeyMap {
    public static let bindings: [KeyBinding] = navigation + ViewRegistry.keyBindings + commands

    private static let navigation: [KeyBinding] = [
        KeyBinding(keys: [.character("j"), .down], label: "j/↓", action: .moveDown, help: "move down", inFooter: false),
        KeyBinding(keys: [.character("k"), .up], label: "k/↑", action: .moveUp, help: "move up", inFooter: false),
        KeyBinding(keys: [.character("g"), .home], label: "g", action: .top, help: "go to top", inFooter: false),
        KeyBinding(keys: [.character("G"), .end], label: "G", action: .bottom, help: "go to bottom", inFooter: false),
        KeyBinding(keys: [.pageDown, .ctrl("f")], label: "PgDn", action: .pageDown, help: "page down", inFooter: false),
        KeyBinding(keys: [.pageUp, .ctrl("b")], label: "PgUp", action: .pageUp, help: "page up", inFooter: false),
        KeyBinding(keys: [.enter, .right], label: "⏎", action: .open, help: "open the selected item", inFooter: true),
        KeyBinding(keys: [.escape, .left, .backspace], label: "Esc", action: .back, help: "back", inFooter: true),
    ]

    private static let commands: [KeyBinding] = [
        KeyBinding(keys: [.character("c")], label: "c", action: .jobView(.checkpoints), help: "checkpoints of the job", inFooter: false),
        KeyBinding(keys: [.character("e")], label: "e", action: .jobView(.exceptions), help: "exceptions of the job", inFooter: false),
        KeyBinding(keys: [.character("v")], label: "v", action: .jobView(.vertices), help: "vertices of the job", inFooter: false),
        KeyBinding(keys: [.character("s")], label: "s", action: .job(.savepoint), help: "savepoint the job", inFooter: false),
        KeyBinding(keys: [.character("p")], label: "p", action: .job(.pause), help: "pause the job (stop with savepoint)", inFooter: false),
        KeyBinding(keys: [.character("r")], label: "r", action: .job(.resume), help: "resume the job from its latest savepoint", inFooter: false),
        KeyBinding(keys: [.character("n")], label: "n", action: .job(.launch), help: "launch a job (jar, entry class, args, parallelism)", inFooter: false),
        KeyBinding(keys: [.ctrl("k")], label: "^K", action: .job(.cancel), help: "cancel the job", inFooter: false),
        KeyBinding(keys: [.character("/")], label: "/", action: .filter, help: "filter rows", inFooter: true),
        KeyBinding(keys: [.character(":")], label: ":", action: .command, help: "command (:groups :topics :jobs :ctx NAME :theme NAME :q)", inFooter: false),
        KeyBinding(keys: [.character(">")], label: ">", action: .sortNext, help: "sort by next column", inFooter: false),
        KeyBinding(keys: [.character("<")], label: "<", action: .sortPrevious, help: "sort by previous column", inFooter: true, footerText: "sort"),
        KeyBinding(keys: [.character("i")], label: "i", action: .invertSort, help: "invert sort order", inFooter: false),
        KeyBinding(keys: [.character("w")], label: "w", action: .toggleWide, help: "wide: every column at full width", inFooter: false),
        KeyBinding(keys: [.character("h")], label: "h/l", action: .scrollColumnsLeft, help: "scroll columns left / right (wide)", inFooter: false),
        KeyBinding(keys: [.character("l")], label: "l", action: .scrollColumnsRight, help: "scroll columns right (wide)", inFooter: false,
                   listed: false),
        KeyBinding(keys: [.character(" ")], label: "space", action: .freeze, help: "freeze / unfreeze live updates", inFooter: true),
        KeyBinding(keys: [.character("R")], label: "R", action: .toggleRecording, help: "record this session to a file / stop recording", inFooter: false),
        KeyBinding(keys: [.character("M")], label: "M", action: .addMarker, help: "mark this moment in the recording, with a note", inFooter: false),
        KeyBinding(keys: [.character("P")], label: "P", action: .replayKey(.togglePause), help: "replay: pause / resume", inFooter: false),
        KeyBinding(keys: [.character("]")], label: "[ ]", action: .replayKey(.faster), help: "replay: slower / faster (0.25× to 64×)", inFooter: false),
        KeyBinding(keys: [.character("[")], label: "[", action: .replayKey(.slower), help: "replay: slower", inFooter: false, listed: false),
        KeyBinding(keys: [.character(".")], label: ".", action: .replayKey(.step), help: "replay: one reading on, while paused", inFooter: false),
        KeyBinding(keys: [.character("}")], label: "{ }", action: .replayKey(.nextMarker), help: "replay: previous / next marker", inFooter: false),
        KeyBinding(keys: [.character("{")], label: "{", action: .replayKey(.previousMarker), help: "replay: previous marker", inFooter: false,
                   listed: false),
        KeyBinding(keys: [.character("+")], label: "+", action: .refreshFaster, help: "refresh more often", inFooter: false),
        KeyBinding(keys: [.character("-")], label: "-", action: .refreshSlower, help: "refresh less often", inFooter: false),
        KeyBinding(keys: [.character("?")], label: "?", action: .help, help: "help", inFooter: true),
        KeyBinding(keys: [.character("q")], label: "q", action: .quit, help: "back, or quit from a top-level view", inFooter: true, footerText: "quit"),
    ]

    private static let table: [Key: Action] = {
        var t: [Key: Action] = [:]
        for b in bindings { for k in b.keys where t[k] == nil { t[k] = b.action } }
        return t
    }()

    public static func action(for key: Key) -> Action? { table[key] }

    /// "⏎ open  / filter  …" from the bindings marked for the footer.
    public static var footerHints: [(key: String, text: String)] {
        bindings.filter(\.inFooter).map { b in (b.label, b.footerText ?? b.help.split(separator: " ").first.map(String.init) ?? b.help) }
    }
}
