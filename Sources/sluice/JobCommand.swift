import ArgumentParser
import Services
import FlinkClient
import Foundation
import Display

/// `sluice job …`: Flink jobs from the command line, with the Flink CLI's flag names.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "List, run, savepoint, pause, resume and cancel Flink jobs (Flink REST API).",
        discussion: """
        Exit status: 0 when the action succeeded (list: every job is healthy), 1 when Flink refused or \
        failed it (list: a job is failing or restarting), 2 on bad input or when Flink cannot be reached.

        Examples:
          sluice job list --flink http://127.0.0.1:8081
          sluice job run ./job.jar -c com.acme.Job -p 4 -- --rate 500
          sluice job savepoint 77ae1297… /savepoints
          sluice job stop 77ae1297… --savepointPath /savepoints --drain   # pause
          sluice job resume 77ae1297…                                    # from the latest savepoint Sluice took
          sluice job cancel 77ae1297…
        """,
        subcommands: [List.self, Run.self, Savepoint.self, Stop.self, Resume.self, Cancel.self]
    )
}

/// Where Flink is, and where Sluice keeps its job ledger.
struct FlinkOptions: ParsableArguments {
    @Option(name: .long, help: "Flink REST address (JobManager web port). Overrides the context's flink.")
    var flink: String?

    @OptionGroup var target: ContextOptions

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func client() throws -> FlinkClient {
        let path = target.configPath
        let file = try SluiceConfig.load(path: path)
        let fromContext = try file.context(named: target.context, path: path)?.context.flink
        let url = flink ?? fromContext ?? "http://127.0.0.1:8081"
        guard URL(string: url.contains("://") ? url : "http://" + url)?.host != nil else {
            throw ValidationError("invalid Flink address '\(url)': expected http://host:port")
        }
        return FlinkClient(baseURL: url, timeoutSeconds: target.requestTimeout)
    }

    var ledgerPath: String { JobLedger.defaultPath() }
}

/// Runs a job subcommand body, turning errors into a one-line reason and the documented exit status.
/// `name` is the subcommand after `sluice job`, or the whole command when it has a space ("capture add").
func jobMain(_ name: String, _ body: () async throws -> Int32) async throws {
    let status: Int32
    do { status = try await body() } catch let e as ExitCode { throw e } catch let e as ValidationError {
        fail(name, e.message); throw ExitCode(2)
    } catch let e as FlinkClientError {
        fail(name, e.description)
        switch e {
        case .unreachable, .timeout, .malformed: throw ExitCode(2)
        case let .http(status, _, _, _) where status == 400 || status == 404 || (status == 409 && name.hasPrefix("capture")): throw ExitCode(2)
        default: throw ExitCode(1)
        }
    } catch {
        fail(name, "\(error)"); throw ExitCode(2)
    }
    if status != 0 { throw ExitCode(status) }
}

/// The job as `/jobs/overview` lists it; a job Flink does not list is bad input (exit 2), and a
/// job that is no longer running cannot take a savepoint (exit 1).
func runningJob(_ client: FlinkClient, _ jid: String, for action: String) async throws -> JobOverview {
    _ = try FlinkClient.id(jid)
    guard let job = try await client.jobs().first(where: { $0.jid == jid }) else {
        throw ValidationError("no job \(jid) on Flink at \(client.baseURL) (see: sluice job list)")
    }
    guard !job.state.isTerminal else {
        FileHandle.standardError.write(Data("sluice job \(action): job \(jid) is \(job.state), not running\n".utf8))
        throw ExitCode(1)
    }
    return job
}

private func fail(_ name: String, _ message: String) {
    let command = name.contains(" ") ? name : "job \(name)"
    FileHandle.standardError.write(Data("sluice \(command): \(DisplayText.sanitize(message))\n".utf8))
}

private func printJSON(_ object: Any) {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("null".utf8)
    print(String(decoding: data, as: UTF8.self))
}

extension JobCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Jobs with state, duration and tasks (like `flink list -a`).")
        @OptionGroup var options: FlinkOptions

        func run() async throws {
            try await jobMain("list") {
                let jobs = try await options.client().jobs().sorted { ($0.startTime ?? 0) > ($1.startTime ?? 0) }
                if options.json {
                    printJSON(jobs.map { j -> [String: Any] in
                        ["jid": j.jid, "name": j.name, "state": j.state.rawValue, "startTime": j.startTime ?? NSNull(),
                         "durationMs": j.duration ?? NSNull(), "tasks": j.tasks ?? [:]]
                    })
                } else {
                    print(pad("JID", 32) + "  " + pad("STATE", 12) + "  " + pad("DURATION", 9) + "  " + pad("TASKS", 11) + "  NAME")
                    for j in jobs {
                        let tasks = j.tasks.map { "\($0["running"] ?? 0)/\($0["total"] ?? 0) run" } ?? "-"
                        print(pad(j.jid, 32) + "  " + pad(j.state.rawValue, 12) + "  " + pad(Format.duration(j.duration.map { Double($0) / 1000 }), 9)
                              + "  " + pad(tasks, 11) + "  " + DisplayText.cell(j.name, width: 60))
                    }
                    if jobs.isEmpty { print("no jobs") }
                }
                let unhealthy: Set<JobState> = [.failed, .failing, .restarting]
                return jobs.contains { unhealthy.contains($0.state) } ? 1 : 0
            }
        }

        private func pad(_ s: String, _ w: Int) -> String { DisplayText.padded(DisplayText.sanitize(s), width: w) }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a jar — or, on the Sluice engine, a YAML job spec: a local .jar or .yaml file (uploaded first), or the id of one already uploaded.")
        @OptionGroup var options: FlinkOptions
        @Argument(help: "Local .jar (or engine .yaml) path, or an uploaded one's id (see GET /jars).") var jar: String
        @Option(name: [.customShort("c"), .customLong("class")], help: "Entry class (default: the jar's manifest).") var entryClass: String?
        @Option(name: [.short, .long], help: "Parallelism (Flink's REST API would otherwise use 1).") var parallelism: Int = 1
        @Option(name: [.short, .customLong("fromSavepoint")], help: "Savepoint path to start from.") var fromSavepoint: String?
        @Flag(name: [.customShort("n"), .customLong("allowNonRestoredState")], help: "Skip savepoint state that maps to no operator.")
        var allowNonRestoredState = false
        @Argument(parsing: .postTerminator, help: "Job arguments, after --.") var arguments: [String] = []

        func validate() throws {
            guard (1...32768).contains(parallelism) else { throw ValidationError("-p/--parallelism must be between 1 and 32768") }
        }

        func run() async throws {
            try await jobMain("run") {
                let client = try options.client()
                let jid: String
                do {
                    jid = try await JobActions.launch(client, jar: jar, entryClass: entryClass, arguments: arguments, parallelism: parallelism,
                                                      savepoint: fromSavepoint, allowNonRestoredState: allowNonRestoredState, ledger: options.ledgerPath)
                } catch let r as JobActions.Refusal { throw ValidationError(r.description) }
                let jarId = (try? JobLedger.load(path: options.ledgerPath))?.entry(jid)?.launch?.jarId ?? jar
                if options.json { printJSON(["jid": jid, "jarId": jarId]) } else { print(jid) }
                return 0
            }
        }
    }

    struct Savepoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Trigger a savepoint and wait for it (like `flink savepoint`).")
        @OptionGroup var options: FlinkOptions
        @Argument(help: "Job id.") var jid: String
        @Argument(help: "Target directory (default: the cluster's execution.checkpointing.savepoint-dir).") var targetDirectory: String?
        @Option(name: .long, help: "Seconds to wait for the savepoint.") var wait: Double = 300

        func run() async throws {
            try await jobMain("savepoint") {
                let client = try options.client()
                let name = try await runningJob(client, jid, for: "savepoint").name
                let location = try await JobActions.savepoint(client, jid: jid, name: name, directory: targetDirectory, stop: false,
                                                              ledger: options.ledgerPath, timeoutSeconds: wait)
                if options.json { printJSON(["jid": jid, "savepoint": location]) } else { print(location) }
                return 0
            }
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause: stop with a savepoint (like `flink stop`).")
        @OptionGroup var options: FlinkOptions
        @Argument(help: "Job id.") var jid: String
        @Option(name: [.short, .customLong("savepointPath")], help: "Savepoint directory (default: the cluster's).") var savepointPath: String?
        @Flag(name: [.short, .long], help: "Drain: advance event time to the end and fire all timers first.") var drain = false
        @Option(name: .long, help: "Seconds to wait for the stop.") var wait: Double = 300

        func run() async throws {
            try await jobMain("stop") {
                let client = try options.client()
                let name = try await runningJob(client, jid, for: "stop").name
                let location = try await JobActions.savepoint(client, jid: jid, name: name, directory: savepointPath, stop: true, drain: drain,
                                                              ledger: options.ledgerPath, timeoutSeconds: wait)
                if options.json { printJSON(["jid": jid, "savepoint": location]) } else { print(location) }
                return 0
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a job Sluice launched again — same jar, class, arguments, parallelism — from the latest savepoint Sluice took of it.")
        @OptionGroup var options: FlinkOptions
        @Argument(help: "Id of the paused (or savepointed) job.") var jid: String

        func run() async throws {
            try await jobMain("resume") {
                let client = try options.client()
                let (new, savepoint): (String, String)
                do { (new, savepoint) = try await JobActions.resume(client, jid: jid, ledger: options.ledgerPath) } catch let r as JobActions.Refusal {
                    throw ValidationError(r.description)
                }
                if options.json { printJSON(["jid": new, "resumedFrom": jid, "savepoint": savepoint]) } else { print(new) }
                return 0
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a job (no savepoint; like `flink cancel`).")
        @OptionGroup var options: FlinkOptions
        @Argument(help: "Job id.") var jid: String

        func run() async throws {
            try await jobMain("cancel") {
                let client = try options.client()
                _ = try await runningJob(client, jid, for: "cancel")
                try await client.cancel(job: jid)
                if options.json { printJSON(["jid": jid, "cancelled": true]) } else { print("cancelling \(jid)") }
                return 0
            }
        }
    }
}
