import ArgumentParser

/// `octet`: the Octet command line. Each subcommand lives in its own file.
@main
struct Octet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "octet",
        abstract: "Octet: an int8 CNN inference runtime and its ONNX converter.",
        subcommands: [ConvertCommand.self, RunCommand.self, EvalCommand.self, ReportCommand.self, InspectCommand.self, BenchCommand.self,
                      RooflineCommand.self]
    )
}
