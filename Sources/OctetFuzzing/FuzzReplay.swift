import Foundation

/// The fuzz executables' `main` in a normal build (no libFuzzer): runs every file named on
/// the command line (directories: every file inside, sorted) through a harness and prints
/// each outcome, e.g. to reproduce a crash artifact under a debugger.
public enum FuzzReplay {
    public static func main<Outcome>(_ harness: (UnsafeRawBufferPointer) -> Outcome) -> Never {
        exit(replay(harness))
    }

    static func replay<Outcome>(_ harness: (UnsafeRawBufferPointer) -> Outcome) -> Int32 {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard !arguments.isEmpty, !arguments.contains("-h"), !arguments.contains("--help") else {
            print("usage: \((CommandLine.arguments.first as NSString?)?.lastPathComponent ?? "fuzz") FILE|DIR ...")
            print("Replays inputs through the fuzz harness (build with tools/fuzz.sh to fuzz).")
            return 2
        }
        var failures = 0
        for path in arguments {
            for file in files(path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    print("\(file): cannot read")
                    failures += 1
                    continue
                }
                let outcome = data.withUnsafeBytes { harness($0) }
                print("\(file): \(outcome)")
            }
        }
        return failures == 0 ? 0 : 1
    }

    static func files(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { (path as NSString).appendingPathComponent($0) }
            .filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue }
    }
}
