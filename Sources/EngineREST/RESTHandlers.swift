import Dataflow
import DataflowRuntime
import FlinkWire
import Foundation
import Hummingbird
import JobSpec
import NIOCore

/// The routes of ``EngineRESTServer``: each answers with a FlinkWire value as JSON, or Flink's
/// `{"errors": [...]}` with its status.
struct RESTHandlers: Sendable {
    let jobs: JobManager
    let catalog: JobCatalog
    let views: FlinkViews
    let slots: Int
    let token: String?
    let captures: (any CaptureControl)?

    func register(on router: Router<BasicRequestContext>) {
        router.get("/config") { _, _ in json(["flink-version": FlinkViews.version, "features": "engine"]) }
        router.get("/overview") { _, _ in json(views.overview(jobs.all, slots: slots)) }
        router.get("/jobs/overview") { _, _ in json(JobsOverviewResponse(jobs: jobs.all.reversed().map(views.jobOverview))) }
        router.get("/jobs") { _, _ in
            json(["jobs": jobs.all.map { ["id": $0.id, "status": $0.state.rawValue] }])
        }
        router.get("/jobs/:jid") { _, c in try await guarded { json(views.detail(try job(c))) } }
        router.get("/jobs/:jid/config") { _, c in
            try await guarded {
                let j = try job(c)
                return jsonObject(["jid": j.id, "name": j.name, "execution-config": ["job-parallelism": j.definition.parallelism]])
            }
        }
        router.get("/jobs/:jid/plan") { _, c in try await guarded { json(["plan": views.detail(try job(c)).plan]) } }
        router.get("/jobs/:jid/exceptions") { r, c in
            try await guarded { json(views.exceptions(try job(c), max: Int(r.uri.queryParameters.get("maxExceptions") ?? "") ?? 20)) }
        }
        router.get("/jobs/:jid/checkpoints") { _, c in try await guarded { json(views.checkpoints(try job(c))) } }
        router.get("/jobs/:jid/checkpoints/config") { _, c in
            try await guarded {
                let j = try job(c)
                guard let spec = j.checkpointSpec else { throw RESTError.notFound("Checkpointing is not enabled for this job (the spec has no 'checkpoints').") }
                return json(views.checkpointConfig(spec))
            }
        }
        router.get("/jobs/:jid/metrics") { r, c in try await guarded { json(views.jobMetrics(try job(c), names: names(r))) } }
        router.get("/jobs/:jid/vertices/:vid/backpressure") { _, c in try await guarded { json(views.backpressure(try vertex(c))) } }
        router.get("/jobs/:jid/vertices/:vid/subtasks/metrics") { r, c in try await guarded { json(views.subtaskMetrics(try vertex(c), names: names(r))) } }
        router.get("/jobs/:jid/vertices/:vid/watermarks") { _, c in try await guarded { json(views.watermarks(try vertex(c))) } }
        router.patch("/jobs/:jid") { r, c in
            try await guarded {
                try authorize(r)
                let j = try job(c)
                let mode = r.uri.queryParameters.get("mode") ?? "cancel"
                guard mode == "cancel" else { throw RESTError.badRequest("mode '\(mode)' is not supported; use mode=cancel") }
                if !j.state.isTerminal { j.cancel() }
                return Response(status: .accepted, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
            }
        }
        router.post("/jobs/:jid/savepoints") { r, c in
            try await guarded {
                try authorize(r)
                let trigger = try await decode(SavepointTriggerRequest.self, r) ?? SavepointTriggerRequest(targetDirectory: nil)
                return try savepoint(try job(c), directory: trigger.targetDirectory, stop: trigger.cancelJob, drain: false)
            }
        }
        router.post("/jobs/:jid/stop") { r, c in
            try await guarded {
                try authorize(r)
                let stop = try await decode(StopWithSavepointRequest.self, r) ?? StopWithSavepointRequest(targetDirectory: nil, drain: false)
                return try savepoint(try job(c), directory: stop.targetDirectory, stop: true, drain: stop.drain)
            }
        }
        router.get("/jobs/:jid/savepoints/:trigger") { _, c in
            try await guarded {
                let j = try job(c)
                let trigger = try c.parameters.require("trigger")
                switch j.savepointStatus(trigger) {
                case nil: throw RESTError.notFound("There is no savepoint operation with trigger id \(trigger) for job \(j.id)")
                case .inProgress?: return json(SavepointStatusResponse(status: .init(id: "IN_PROGRESS")))
                case .completed(let path)?: return json(SavepointStatusResponse(status: .init(id: "COMPLETED"), operation: .init(location: FlinkViews.uri(path))))
                case .failed(let why)?:
                    return json(SavepointStatusResponse(status: .init(id: "COMPLETED"),
                                                        operation: .init(failureCause: .init(className: "SavepointException", stackTrace: why))))
                }
            }
        }
        router.get("/jars") { _, _ in json(JarListResponse(address: nil, files: catalog.jarFiles())) }
        router.post("/jars/upload") { r, _ in
            try await guarded {
                try authorize(r)
                var r = r
                let body = try await r.collectBody(upTo: JobCatalog.maxSpecBytes + 64 << 10)
                let bytes = Array(buffer: body)
                guard let boundary = r.headers[.contentType].flatMap(Multipart.boundary(of:)),
                      let part = Multipart.parts(bytes, boundary: boundary).first(where: { $0.name == "jarfile" }) else {
                    throw RESTError.badRequest("upload a YAML job spec as multipart/form-data in the field 'jarfile'")
                }
                let entry = try catalog.upload(part.body)
                return json(UploadResponse(filename: "/tmp/flink-web-upload/\(entry.id)", status: "success"))
            }
        }
        router.delete("/jars/:id") { r, c in
            try await guarded {
                try authorize(r)
                try catalog.delete(try c.parameters.require("id"))
                return json([String: String]())
            }
        }
        router.post("/jars/:id/run") { r, c in
            try await guarded {
                try authorize(r)
                let id = try c.parameters.require("id")
                var r = r
                let body = try await r.collectBody(upTo: 1 << 20)
                let run = body.readableBytes == 0 ? RunRequest() : try JSONDecoder().decode(RunRequest.self, from: Data(buffer: body))
                if let p = run.parallelism, !(1...256).contains(p) { throw RESTError.badRequest("parallelism must be 1 to 256, not \(p)") }
                // As Flink: a well-formed request for a program that cannot start is HTTP 500 with
                // the reason (Flink wraps its refusal in the failed invocation), so clients and
                // scripts written against Flink read the engine's refusals the same way.
                guard let entry = catalog.entry(id) else { throw RESTError.cannotRun("job spec '\(id)' does not exist (GET /jars lists the engine's)") }
                if let c = run.entryClass, !c.isEmpty {
                    throw RESTError.cannotRun("engine job specs have no entry class: drop -c \(c) (the spec is the whole job)")
                }
                let args = run.programArgsList ?? (run.programArgs?.split(separator: " ").map(String.init) ?? [])
                let running: RunningJob
                do {
                    let definition = try JobSpecParser.parse(entry.text, defaultParallelism: run.parallelism ?? 1, arguments: args)
                    running = try await jobs.submit(definition, restoreFrom: run.savepointPath.flatMap { $0.isEmpty ? nil : FlinkViews.path($0) },
                                                    allowNonRestoredState: run.allowNonRestoredState ?? false,
                                                    spec: .init(text: entry.text, arguments: args, parallelism: run.parallelism ?? 1))
                } catch let e as JobManager.SubmitError {
                    throw RESTError.cannotRun(e.description)
                } catch let e as JobSpecError {
                    throw RESTError.cannotRun("job spec: \(e)")
                } catch let e as JobGraph.PlanError {
                    throw RESTError.cannotRun("job spec: \(e)")
                }
                return json(RunResponse(jobid: running.id))
            }
        }
        registerCaptures(on: router)
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(string: PrometheusText.render(jobs.all, views: views))))
        }
    }

    struct RunRequest: Decodable {
        var entryClass: String?
        var programArgs: String?
        var programArgsList: [String]?
        var parallelism: Int?
        var savepointPath: String?
        var allowNonRestoredState: Bool?
    }

    /// A savepoint (or stop with one) of `job` into `directory`, else the engine's default.
    private func savepoint(_ job: RunningJob, directory: String?, stop: Bool, drain: Bool) throws -> Response {
        guard let target = directory.flatMap({ $0.isEmpty ? nil : FlinkViews.path($0) }) ?? jobs.savepointDirectory else {
            throw RESTError.badRequest("No savepoint directory given and the engine has no default: send target-directory (targetDirectory for stop)")
        }
        do {
            return json(TriggerResponse(requestId: try job.triggerSavepoint(directory: target, stop: stop, drain: drain)))
        } catch let e as RunningJob.SavepointRefused {
            throw RESTError.badRequest(e.description)
        }
    }

    /// A JSON body, or nil when the request has none.
    func decode<T: Decodable>(_ type: T.Type, _ r: Request) async throws -> T? {
        var r = r
        let body = try await r.collectBody(upTo: 1 << 20)
        guard body.readableBytes > 0 else { return nil }
        do { return try JSONDecoder().decode(T.self, from: Data(buffer: body)) } catch {
            throw RESTError.badRequest("the request body is not the JSON expected: \(error)")
        }
    }

    private func names(_ r: Request) -> [String] {
        (r.uri.queryParameters.get("get") ?? "").split(separator: ",").map { String($0) }.filter { !$0.isEmpty }
    }

    private func job(_ c: BasicRequestContext) throws -> RunningJob {
        let jid = try c.parameters.require("jid")
        guard let j = jobs.job(jid) else { throw RESTError.notFound("Job \(jid) not found") }
        return j
    }

    private func vertex(_ c: BasicRequestContext) throws -> RunningJob.VertexRuntime {
        let j = try job(c)
        let vid = try c.parameters.require("vid")
        guard let v = j.vertices.first(where: { $0.vertex.id == vid }) else { throw RESTError.notFound("vertex \(vid) of job \(j.id) not found") }
        return v
    }

    func authorize(_ r: Request) throws {
        guard let token else { return }
        let given = r.headers[.authorization] ?? ""
        guard given == "Bearer \(token)" else { throw RESTError.unauthorized("this engine's REST API needs 'Authorization: Bearer <token>' to change anything") }
    }

    /// Runs a handler, turning its failures into Flink's error answers.
    func guarded(_ body: () async throws -> Response) async throws -> Response {
        do { return try await body() } catch let e as RESTError {
            switch e {
            case .badRequest(let m): return errors(.badRequest, m)
            case .notFound(let m): return errors(.notFound, m)
            case .unauthorized(let m): return errors(.unauthorized, m)
            case .conflict(let m): return errors(.conflict, m)
            case .cannotRun(let m): return errors(.internalServerError, m)
            }
        } catch let e as JobSpecError {
            return errors(.badRequest, "job spec: \(e)")
        } catch let e as DecodingError {
            return errors(.badRequest, "request body: \(e)")
        } catch let e as JobGraph.PlanError {
            return errors(.badRequest, "job spec: \(e)")
        } catch {
            return errors(.internalServerError, "\(error)")
        }
    }
}

func json<T: Encodable>(_ value: T) -> Response {
    let data = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
}

func jsonObject(_ value: [String: Any]) -> Response {
    let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data("{}".utf8)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
}

func errors(_ status: HTTPResponse.Status, _ message: String) -> Response {
    let data = (try? JSONEncoder().encode(["errors": [message]])) ?? Data()
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
}
