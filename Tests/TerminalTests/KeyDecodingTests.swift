import Display
import Testing
@testable import Terminal

/// ncurses' key codes become the console's keys.
@Suite struct KeyDecodingTests {
    @Test func keyDecoding() {
        #expect(NCursesScreen.decode(rc: 0, ch: 27) == .escape)
        #expect(NCursesScreen.decode(rc: 0, ch: 13) == .enter)
        #expect(NCursesScreen.decode(rc: 0, ch: 11) == .ctrl("k"))
        #expect(NCursesScreen.decode(rc: 0, ch: 0x65E5) == .character("日"))
    }
}
