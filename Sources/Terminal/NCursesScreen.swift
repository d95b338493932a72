import CNCursesW
import Display
#if canImport(Glibc)
import Glibc
#endif

/// The real terminal, through ncursesw. Owns the screen from `init` until ``restore()``, which
/// also runs on deinit; SIGINT/SIGTERM/SIGHUP arrive as events so the caller can restore and exit,
/// and a crash signal restores the tty before the process dies.
public final class NCursesScreen: Screen {
    private var screen: OpaquePointer?
    private var window: UnsafeMutablePointer<WINDOW>?
    private var inputFile: UnsafeMutablePointer<FILE>?
    private var outputFile: UnsafeMutablePointer<FILE>?
    private var drawn: CellGrid?
    private var theme: Theme
    private var restored = false
    private let ttyFD: Int32 = 0

    public private(set) var width: Int = 0
    public private(set) var height: Int = 0

    /// Checks, in order, what a full-screen UI needs, without touching the screen.
    public static func preflight(environment: [String: String]) throws {
        guard isatty(0) == 1 else { throw TerminalError.notATerminal(stream: "standard input") }
        guard isatty(1) == 1 else { throw TerminalError.notATerminal(stream: "standard output") }
        guard let term = environment["TERM"], !term.isEmpty else { throw TerminalError.termUnset }
        if term == "dumb" || term == "unknown" { throw TerminalError.dumbTerminal(term: term) }
    }

    public init(theme: Theme, environment: [String: String]) throws {
        try Self.preflight(environment: environment)
        let term = environment["TERM"] ?? ""
        // ncursesw drops every non-ASCII glyph unless the locale's codeset is UTF-8.
        setlocale(LC_ALL, "")
        if let cs = nl_langinfo(nl_item(CODESET)), String(cString: cs) != "UTF-8" {
            setenv("LC_CTYPE", "C.UTF-8", 1)
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        self.theme = theme
        sl_save_tty(ttyFD)
        outputFile = fdopen(dup(1), "w")
        inputFile = fdopen(dup(0), "r")
        screen = newterm(term, outputFile, inputFile)
        guard let screen else { throw TerminalError.cannotInitialise(term: term) }
        set_term(screen)
        guard sl_has_cursor_addressing() == 1 else {
            endwin()
            delscreen(screen)
            self.screen = nil
            throw TerminalError.dumbTerminal(term: term)
        }
        _ = sl_install_signal_handlers()
        noecho()
        cbreak()
        nonl()
        curs_set(0)
        set_escdelay(25)
        if has_colors() {
            start_color()
            use_default_colors()
        }
        height = Int(getmaxy(sl_stdscr()))
        width = Int(getmaxx(sl_stdscr()))
        window = newwin(Int32(height), Int32(width), 0, 0)
        keypad(window, true)
        applyTheme(theme)
    }

    deinit { restore() }

    /// Gives the terminal back: leaves the alternate screen, restores modes. Safe to call twice.
    public func restore() {
        guard !restored, screen != nil else { return }
        restored = true
        if let window { delwin(window) }
        endwin()
        if let screen { delscreen(screen) }
        if let outputFile { fflush(outputFile); fclose(outputFile) }
        if let inputFile { fclose(inputFile) }
        screen = nil
    }

    public func applyTheme(_ theme: Theme) {
        let noColor = !has_colors() || ProcessInfo_environmentHasNoColor()
        self.theme = noColor ? theme.withoutColor() : theme
        if has_colors() {
            for role in Role.allCases {
                let s = self.theme[role]
                init_pair(Int16(role.rawValue) + 1, Self.colorNumber(s.foreground), Self.colorNumber(s.background))
            }
        }
        drawn = nil  // repaint everything in the new colours
    }

    private static func colorNumber(_ c: TerminalColor) -> Int16 {
        switch c {
        case .default: return -1
        case let .palette(n): return n < Int16(truncatingIfNeeded: sl_colors()) ? n : (n % 8)
        }
    }

    private func attributes(_ role: Role) -> attr_t {
        let s = theme[role]
        var a = SL_A_NORMAL
        if s.attributes.contains(.bold) { a |= SL_A_BOLD }
        if s.attributes.contains(.dim) { a |= SL_A_DIM }
        if s.attributes.contains(.reverse) { a |= SL_A_REVERSE }
        if s.attributes.contains(.underline) { a |= SL_A_UNDERLINE }
        return a
    }

    /// Sends the cells that differ from the last frame, then one `doupdate`.
    public func draw(_ grid: CellGrid) {
        guard let window, !restored else { return }
        let full = drawn == nil || drawn!.width != grid.width || drawn!.height != grid.height
        if full { werase(window) }
        let useColor = has_colors()
        var cc = cchar_t()
        for y in 0..<min(grid.height, height) {
            for x in 0..<min(grid.width, width) {
                let cell = grid[x, y]
                if cell.isContinuation { continue }
                if !full, let old = drawn?[x, y], old == cell { continue }
                // The bottom-right cell cannot be written without scrolling on some terminals.
                if y == height - 1 && x == width - 1 { continue }
                let pair: Int16 = useColor ? Int16(cell.role.rawValue) + 1 : 0
                withUnsafeTemporaryAllocation(of: wchar_t.self, capacity: 6) { buf in
                    var n = 0
                    for s in cell.character.unicodeScalars where n < 5 {
                        buf[n] = wchar_t(bitPattern: s.value)
                        n += 1
                    }
                    buf[n] = 0
                    setcchar(&cc, buf.baseAddress, attributes(cell.role), pair, nil)
                }
                mvwadd_wch(window, Int32(y), Int32(x), &cc)
            }
        }
        wnoutrefresh(window)
        doupdate()
        drawn = grid
    }

    /// Blocks until a key, a resize, a wake-up, a signal or the timeout (-1: none).
    public func nextEvent(timeoutMilliseconds: Int32) -> TerminalEvent {
        guard let window else { return .timeout }
        while true {
            wtimeout(window, 0)
            var ch: wint_t = 0
            let rc = wget_wch(window, &ch)
            if rc != ERR {
                if rc == SL_KEY_CODE_YES, Int32(ch) == KEY_RESIZE {
                    handleResize()
                    return .resize(width: width, height: height)
                }
                if let key = Self.decode(rc: rc, ch: ch) { return .key(key) }
                continue
            }
            switch sl_wait(ttyFD, timeoutMilliseconds) {
            case 1, -1: continue  // input, or a signal such as SIGWINCH: let ncurses read it
            case 2:
                let signo = sl_drain_wake()
                return signo != 0 ? .signal(signo) : .wake
            case 3:
                return .signal(SIGHUP)
            default: return .timeout
            }
        }
    }

    /// Wakes a blocked ``nextEvent(timeoutMilliseconds:)`` from any thread.
    public static func wake() { sl_wake() }

    public var waker: @Sendable () -> Void { { sl_wake() } }

    private func handleResize() {
        height = Int(getmaxy(sl_stdscr()))
        width = Int(getmaxx(sl_stdscr()))
        if let window {
            wresize(window, Int32(max(1, height)), Int32(max(1, width)))
            clearok(window, true)
        }
        drawn = nil
    }

    static func decode(rc: Int32, ch: wint_t) -> Key? {
        if rc == SL_KEY_CODE_YES {
            switch Int32(ch) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_NPAGE: return .pageDown
            case KEY_PPAGE: return .pageUp
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_ENTER: return .enter
            case KEY_BACKSPACE: return .backspace
            case KEY_DC: return .delete
            case KEY_BTAB: return .backTab
            case let k where k > KEY_F0 && k <= KEY_F0 + 12: return .function(Int(k - KEY_F0))
            default: return nil
            }
        }
        switch ch {
        case 10, 13: return .enter
        case 27: return .escape
        case 9: return .tab
        case 8, 127: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(ch) + 96)))
        default:
            guard let s = Unicode.Scalar(UInt32(ch)) else { return nil }
            return .character(Character(s))
        }
    }
}

private func ProcessInfo_environmentHasNoColor() -> Bool {
    guard let v = getenv("NO_COLOR") else { return false }
    return v.pointee != 0
}
