import Foundation

/// `GET /jars`.
public struct JarFile: Codable, Sendable, Equatable {
    public init(id: String, name: String, uploaded: Int64?, entry: [Entry]?) {
        self.id = id; self.name = name; self.uploaded = uploaded; self.entry = entry
    }
    public var id: String
    public var name: String
    public var uploaded: Int64?
    public var entry: [Entry]?
    public struct Entry: Codable, Sendable, Equatable {
        public var name: String
        public var description: String?
        public init(name: String, description: String?) { self.name = name; self.description = description }
    }
}

/// `GET /jars`.
public struct JarListResponse: Codable, Sendable, Equatable {
    public var address: String?
    public var files: [JarFile]
    public init(address: String? = nil, files: [JarFile]) { self.address = address; self.files = files }
}

/// What `POST /jars/:id/run` runs: the Flink CLI's `-c`, arguments, `-p`, `-s` and `--allowNonRestoredState`.
public struct JarRun: Codable, Sendable, Equatable {
    public var entryClass: String?
    public var programArgsList: [String]?
    /// Always sent: without it Flink's REST API runs at parallelism 1, not the cluster default.
    public var parallelism: Int
    public var savepointPath: String?
    public var allowNonRestoredState: Bool?
    public init(entryClass: String? = nil, arguments: [String] = [], parallelism: Int, savepointPath: String? = nil,
                allowNonRestoredState: Bool = false) {
        self.entryClass = entryClass; self.programArgsList = arguments.isEmpty ? nil : arguments; self.parallelism = parallelism
        self.savepointPath = savepointPath; self.allowNonRestoredState = allowNonRestoredState ? true : nil
    }
}


/// The answer to `POST /jars/:id/run`.
public struct RunResponse: Codable, Sendable, Equatable {
    public var jobid: String
    public init(jobid: String) { self.jobid = jobid }
}

/// The answer to `POST /jars/upload`.
public struct UploadResponse: Codable, Sendable, Equatable {
    public var filename: String
    public var status: String
    public init(filename: String, status: String) { self.filename = filename; self.status = status }
}
