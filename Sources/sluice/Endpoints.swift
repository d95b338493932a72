import ArgumentParser
import PostgresAccess
import Services
import KafkaClient

/// Which context of which config file, and how long to wait for each request: shared by every
/// command that talks to a cluster (Kafka or Flink).
struct ContextOptions: ParsableArguments {
    @Option(name: .long, help: "Context from the config file ($XDG_CONFIG_HOME/sluice/config.yaml).")
    var context: String?

    @Option(name: .long, help: "Config file path.")
    var config: String?

    @Option(name: .long, help: "Seconds to wait for each request to a broker or to Flink.")
    var requestTimeout: Double = 10

    var configPath: String { config ?? SluiceConfig.defaultPath() }
}

/// Kafka connection options.
struct EndpointOptions: ParsableArguments {
    @Option(name: .long, help: "Kafka bootstrap servers, host:port[,host:port…]. Overrides the context.")
    var kafka: String?

    @OptionGroup var target: ContextOptions

    var context: String? { target.context }
    var config: String? { target.config }
    var requestTimeout: Double { target.requestTimeout }

    struct Resolved {
        var contextName: String
        var bootstrap: [BrokerAddress]
        var bootstrapText: String
        var config: SluiceConfig
    }

    /// Flags, then the named or current context, then 127.0.0.1:9092.
    func resolve() throws -> Resolved {
        let path = config ?? SluiceConfig.defaultPath()
        let file = try SluiceConfig.load(path: path)
        let ctx = try file.context(named: context, path: path)
        let text = kafka ?? ctx?.context.kafka ?? "127.0.0.1:9092"
        guard let addrs = BrokerAddress.parseList(text) else {
            throw ValidationError("invalid Kafka bootstrap '\(text)': expected host:port[,host:port…]")
        }
        // Without a named context the header shows the bootstrap address itself.
        return Resolved(contextName: kafka != nil ? text : (ctx?.name ?? text), bootstrap: addrs, bootstrapText: text, config: file)
    }

    func clientConfiguration(_ r: Resolved) -> KafkaClientConfiguration {
        KafkaClientConfiguration(bootstrap: r.bootstrap, requestTimeoutSeconds: requestTimeout,
                                 connectTimeoutSeconds: min(requestTimeout, 5))
    }
}

/// The Postgres to watch: the flag, else the context's `postgres:`; checked as a URL before
/// anything connects (a bad one is bad input, exit 2).
func checkedPostgresURL(flag: String?, context: SluiceConfig.Context?) throws -> String? {
    guard let url = flag ?? context?.postgres else { return nil }
    _ = try PostgresURL.configuration(url)
    return url
}
