import Foundation
import NIOSSL
import PostgresNIO

/// `postgres://user:password@host:port/database?sslmode=disable|prefer|require` into
/// postgres-nio's configuration (libpq's URL form; a missing password: PGPASSWORD).
public enum PostgresURL {
    public struct Invalid: Error, CustomStringConvertible { public var description: String }

    public static func configuration(_ url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresConnection.Configuration {
        guard let u = URLComponents(string: url), ["postgres", "postgresql"].contains(u.scheme ?? ""), let host = u.host, !host.isEmpty else {
            throw Invalid(description: "'\(redacted(url))' is not a postgres://user:password@host:port/database URL")
        }
        guard let user = u.user, !user.isEmpty else { throw Invalid(description: "'\(redacted(url))' names no user (postgres://USER:password@host/db)") }
        let database = u.path.hasPrefix("/") ? String(u.path.dropFirst()) : u.path
        let mode = u.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresConnection.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case "require", "verify-ca", "verify-full": tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: throw Invalid(description: "sslmode=\(mode) is not disable, prefer or require")
        }
        var config = PostgresConnection.Configuration(host: host, port: u.port ?? 5432, username: user.removingPercentEncoding ?? user,
                                                      password: u.password?.removingPercentEncoding ?? environment["PGPASSWORD"],
                                                      database: database.isEmpty ? nil : database, tls: tls)
        config.options.connectTimeout = .seconds(5)
        return config
    }

    /// The URL without its password, for messages and logs.
    public static func redacted(_ url: String) -> String {
        guard var u = URLComponents(string: url), u.password != nil else { return url }
        u.password = "***"
        return u.string ?? url
    }

    /// What went wrong, in Postgres's words where it gave some (postgres-nio's own description
    /// hides them): the server's message and SQLSTATE, or the connection's failure.
    public static func describe(_ error: Error) -> String {
        guard let e = error as? PSQLError else { return "\(error)" }
        if let info = e.serverInfo, let message = info[.message] {
            var out = message
            if let detail = info[.detail] { out += " (\(detail))" }
            if let state = info[.sqlState] { out += " [SQLSTATE \(state)]" }
            return out
        }
        if let underlying = e.underlying {
            let text = "\(underlying)"
            if text.contains("Connection refused") { return "connection refused (is Postgres running there?)" }
            return "\(e.code): \(text)"
        }
        return "\(e.code)"
    }
}
