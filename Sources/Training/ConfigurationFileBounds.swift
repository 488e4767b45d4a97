/// The bounds a configuration file must keep before Yams reads it.
///
/// A configuration is a flat mapping of `option: value` lines, a few hundred bytes. Yams
/// composes nested lists and mappings by recursion, one stack frame per level, so a file
/// nested a few thousand levels deep overflows the stack; the bounds stop such a file (and a
/// file of gigabytes) first, far above anything a configuration needs.
enum ConfigurationFileBounds {
    /// The largest file read.
    static let maximumBytes = 1 << 20
    /// The deepest nesting of lists and mappings let through to Yams.
    static let maximumDepth = 32

    /// The first line (1-based) where an upper bound on how deeply the lists and mappings of
    /// the YAML `text` nest passes `limit`, or nil if it never does; computed without parsing.
    ///
    /// Block nesting: a nested block collection starts right of its parent (a list under a
    /// mapping key may start in the same column, so every two levels move at least one column
    /// right), and its first token stands after the line's indentation and the indicators
    /// `-`, `?`, `:` before it. So a line whose prefix of spaces and indicators is `n` long
    /// sits at most `2n + 1` levels deep.
    ///
    /// Flow nesting: every `[` and `{` counts one level, and `]` or `}` closes one only until
    /// the first quote, comment, tag or directive character: from there on a bracket may be
    /// text inside a quoted scalar, comment or tag, and telling which would take YAML's whole
    /// scanner. Counting such brackets only ever raises the bound, and a configuration needs
    /// no brackets at all.
    static func firstLine(in text: String, nestedDeeperThan limit: Int) -> Int? {
        var line = 1
        var prefixLength = 0
        var inPrefix = true
        var flowDepth = 0
        var closingIsCertain = true
        var previous: Unicode.Scalar = "\n"
        for character in text.unicodeScalars {
            defer { previous = character }
            if lineBreaks.contains(character) {
                if !(previous == "\r" && character == "\n") { line += 1 }
                prefixLength = 0
                inPrefix = true
                continue
            }
            if inPrefix && prefixCharacters.contains(character) {
                prefixLength += 1
            } else {
                inPrefix = false
                switch character {
                case "[", "{": flowDepth += 1
                case "]", "}": if closingIsCertain { flowDepth = max(flowDepth - 1, 0) }
                case "'", "\"", "#", "!", "%": closingIsCertain = false
                default: break
                }
            }
            if 2 * prefixLength + 1 + flowDepth > limit { return line }
        }
        return nil
    }

    private static let lineBreaks: Set<Unicode.Scalar> = ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"]
    /// What may stand before a block collection's first token on its line: indentation and
    /// the indicators of the collections it is nested in.
    private static let prefixCharacters: Set<Unicode.Scalar> = [" ", "\t", "-", "?", ":"]
}
