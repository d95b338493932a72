import DataflowRuntime

/// `/metrics` in Prometheus' text format: per subtask the counters of ``TaskMetrics`` and per
/// job its state, for a scraper beside the console.
enum PrometheusText {
    static func render(_ jobs: [RunningJob], views: FlinkViews) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) { out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n" }
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
        }
        family("sluice_job_up", "gauge", "1 for each job in the state named by its label")
        for j in jobs { out += "sluice_job_up{job=\"\(escape(j.name))\",job_id=\"\(j.id)\",state=\"\(j.state.rawValue)\"} 1\n" }
        let series: [(String, String, String, (TaskMetrics.Counters) -> Double)] = [
            ("sluice_task_records_in_total", "counter", "records a subtask took in", { Double($0.recordsIn) }),
            ("sluice_task_records_out_total", "counter", "records a subtask sent on", { Double($0.recordsOut) }),
            ("sluice_task_backpressured_seconds_total", "counter", "time a subtask waited on a full downstream gate", { Double($0.backpressuredNanos) / 1e9 }),
            ("sluice_task_idle_seconds_total", "counter", "time a subtask waited for input", { Double($0.idleNanos) / 1e9 }),
            ("sluice_task_input_watermark_ms", "gauge", "the event time every input of a subtask has reached", { $0.inputWatermark == .min ? -1 : Double($0.inputWatermark) }),
            ("sluice_task_state_bytes", "gauge", "keyed state a subtask holds", { Double($0.stateBytes) }),
            ("sluice_task_dead_letters_total", "counter", "records sent to the dead-letter topic", { Double($0.deadLetters) }),
            ("sluice_task_late_records_total", "counter", "records past a window's allowed lateness", { Double($0.lateRecordsDropped + $0.lateRecordsToSideOutput) }),
        ]
        let samples = jobs.flatMap { j in
            j.vertices.flatMap { v in
                v.subtasks.enumerated().map { (j, v.vertex, $0.offset, $0.element.snapshot) }
            }
        }
        for (name, type, help, value) in series {
            family(name, type, help)
            for (j, v, i, c) in samples {
                out += "\(name){job=\"\(escape(j.name))\",job_id=\"\(j.id)\",vertex=\"\(escape(v.name))\",subtask=\"\(i)\"} \(value(c))\n"
            }
        }
        return out
    }
}
