import KubeModel

/// Reads YAML with PyYAML (`safe_load_all`), a YAML 1.1 reader independent of ours and of libyaml's
/// Swift binding, to check what the emitter writes.
public enum PythonYAML {
    static let script = """
    import json, sys, datetime
    import yaml
    streams = json.load(open(sys.argv[1]))
    out = []
    for text in streams:
        try:
            docs = list(yaml.safe_load_all(text))
            out.append({"documents": docs})
        except Exception as e:
            out.append({"error": "%s: %s" % (type(e).__name__, e)})
    def default(o):
        if isinstance(o, (datetime.date, datetime.datetime)):
            return {"__date__": o.isoformat()}
        raise TypeError(repr(o))
    print(json.dumps(out, default=default))
    """

    /// Every stream's documents, or the error PyYAML raised for it.
    public static func load(_ streams: [[UInt8]]) throws -> [Result<[JSONValue], PythonScript.Unavailable>] {
        let input = JSONValue.array(streams.map { .string(String(decoding: $0, as: UTF8.self)) })
        let output = try PythonScript.run(script, input: input, needs: "PyYAML")
        return (output.arrayValue ?? []).map { entry in
            if let documents = entry["documents"]?.arrayValue { return .success(documents) }
            return .failure(PythonScript.Unavailable(description: entry["error"]?.stringValue ?? "no result"))
        }
    }
}
