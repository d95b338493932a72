/// A terminal colour: the default, one of the 256 palette entries, or an RGB value mapped to the
/// nearest palette entry when drawn.
public enum TerminalColor: Sendable, Equatable, Hashable {
    case `default`
    case palette(Int16)

    /// Names users know from themes: the 16 ANSI names, `default`, `colourN`/`colorN`, `#rrggbb`.
    public init?(name: String) {
        let n = String(name.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " })
        let basic = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]
        if n == "default" || n.isEmpty { self = .default; return }
        if let i = basic.firstIndex(of: n) { self = .palette(Int16(i)); return }
        if n.hasPrefix("bright"), let i = basic.firstIndex(of: String(n.dropFirst(6))) { self = .palette(Int16(i + 8)); return }
        if n == "gray" || n == "grey" { self = .palette(8); return }
        for prefix in ["colour", "color"] where n.hasPrefix(prefix) {
            if let v = Int16(n.dropFirst(prefix.count)), (0...255).contains(v) { self = .palette(v); return }
            return nil
        }
        if let v = Int16(n), (0...255).contains(v) { self = .palette(v); return }
        if n.hasPrefix("#"), n.count == 7, let rgb = Int(n.dropFirst(), radix: 16) {
            self = .palette(Self.nearest(r: rgb >> 16 & 0xFF, g: rgb >> 8 & 0xFF, b: rgb & 0xFF))
            return
        }
        return nil
    }

    /// Nearest xterm-256 entry: the 6×6×6 cube or the grey ramp, whichever is closer.
    static func nearest(r: Int, g: Int, b: Int) -> Int16 {
        let levels = [0, 95, 135, 175, 215, 255]
        func idx(_ v: Int) -> Int { levels.enumerated().min { abs($0.element - v) < abs($1.element - v) }!.offset }
        let (ri, gi, bi) = (idx(r), idx(g), idx(b))
        let cube = (levels[ri], levels[gi], levels[bi])
        let grey = max(0, min(23, ((r + g + b) / 3 - 8 + 5) / 10))
        let gv = 8 + grey * 10
        func dist(_ a: (Int, Int, Int)) -> Int { (a.0 - r) * (a.0 - r) + (a.1 - g) * (a.1 - g) + (a.2 - b) * (a.2 - b) }
        return dist(cube) <= dist((gv, gv, gv)) ? Int16(16 + 36 * ri + 6 * gi + bi) : Int16(232 + grey)
    }
}

/// Text attributes a style can carry; in `mono` and under NO_COLOR they carry all the meaning.
public struct TextAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = TextAttributes(rawValue: 1)
    public static let dim = TextAttributes(rawValue: 2)
    public static let reverse = TextAttributes(rawValue: 4)
    public static let underline = TextAttributes(rawValue: 8)
}

public struct Style: Sendable, Hashable {
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var attributes: TextAttributes
    public init(foreground: TerminalColor = .default, background: TerminalColor = .default, attributes: TextAttributes = []) {
        self.foreground = foreground; self.background = background; self.attributes = attributes
    }
}

/// What a piece of the screen is, independent of how a theme paints it.
public enum Role: UInt8, CaseIterable, Sendable {
    case text, dim, header, title, row, rowSelected, statusOK, statusWarn, statusErr, sparkline, banner, footer, key, alert, border

    /// The name used in theme files.
    public var name: String {
        switch self {
        case .text: "text"
        case .dim: "dim"
        case .header: "header"
        case .title: "title"
        case .row: "row"
        case .rowSelected: "rowSelected"
        case .statusOK: "statusOK"
        case .statusWarn: "statusWarn"
        case .statusErr: "statusErr"
        case .sparkline: "sparkline"
        case .banner: "banner"
        case .footer: "footer"
        case .key: "key"
        case .alert: "alert"
        case .border: "border"
        }
    }
}

/// A style per role. Built-in defaults exist so a missing theme file never blanks the screen.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var styles: [Style]

    public init(name: String, styles: [Role: Style]) {
        self.name = name
        let base = Theme.builtinMono.styles
        self.styles = Role.allCases.map { styles[$0] ?? base[Int($0.rawValue)] }
    }

    private init(name: String, list: [Style]) { self.name = name; self.styles = list }

    public subscript(role: Role) -> Style { styles[Int(role.rawValue)] }

    /// Attributes only: used for `--theme mono`, NO_COLOR and terminals without colour.
    public static let builtinMono = Theme(name: "mono", list: Role.allCases.map { role in
        switch role {
        case .header, .title, .key: Style(attributes: [.bold])
        case .rowSelected, .banner: Style(attributes: [.reverse])
        case .statusWarn: Style(attributes: [.bold])
        case .statusErr, .alert: Style(attributes: [.bold, .underline])
        case .dim, .footer, .border: Style(attributes: [.dim])
        default: Style()
        }
    })

    /// Colours attributes removed (NO_COLOR): keeps meaning carried by attributes.
    public func withoutColor() -> Theme {
        Theme(name: name, list: styles.enumerated().map { i, s in
            let mono = Theme.builtinMono.styles[i]
            return Style(attributes: s.attributes.union(mono.attributes))
        })
    }
}
