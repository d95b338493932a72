import Foundation

extension KeyedDecodingContainer {
    /// A finite number sent as a JSON number or as a numeric string; `nil` for "NaN", absent or anything else.
    package func lenientNumber(_ key: Key) -> Double? {
        if let d = try? decodeIfPresent(Double.self, forKey: key), d.isFinite { return d }
        if let s = try? decodeIfPresent(String.self, forKey: key), let d = Double(s), d.isFinite { return d }
        return nil
    }
}
