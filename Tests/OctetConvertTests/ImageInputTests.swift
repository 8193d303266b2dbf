import CImage
import Foundation
import OctetConvert
import Testing

/// `ImageInput` (stb decoding, layout, resize, normalisation) and `Labels`.
@Suite struct ImageInputTests {
    /// A fresh directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("octet-image-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes an 8-bit PNG with stb_image_write (`pixels`: rows of interleaved channels).
    static func writePNG(_ url: URL, width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        precondition(pixels.count == width * height * channels)
        let ok = pixels.withUnsafeBytes { stbi_write_png(url.path, Int32(width), Int32(height), Int32(channels), $0.baseAddress, Int32(width * channels)) }
        try #require(ok != 0)
    }

    static func expectClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-6, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= tolerance, "max difference \(worst)\n\(a)\n\(b)", sourceLocation: sourceLocation)
    }

    // MARK: - Layout detection

    @Test func layoutDetection() throws {
        typealias G = ImageInput.Geometry
        #expect(try ImageInput.geometry(of: [1, 3, 224, 224]) == G(layout: .nchw, channels: 3, height: 224, width: 224))
        #expect(try ImageInput.geometry(of: [1, 1, 28, 28]) == G(layout: .nchw, channels: 1, height: 28, width: 28))
        #expect(try ImageInput.geometry(of: [1, 28, 28, 1]) == G(layout: .nhwc, channels: 1, height: 28, width: 28))
        #expect(try ImageInput.geometry(of: [1, 32, 24, 3]) == G(layout: .nhwc, channels: 3, height: 32, width: 24))
        // Ambiguous: NCHW wins.
        #expect(try ImageInput.geometry(of: [1, 3, 8, 3]) == G(layout: .nchw, channels: 3, height: 8, width: 3))
        #expect(try ImageInput.geometry(of: [1, 1, 5, 1]) == G(layout: .nchw, channels: 1, height: 5, width: 1))
        // Rank 3: one grayscale plane.
        #expect(try ImageInput.geometry(of: [1, 28, 28]) == G(layout: .nchw, channels: 1, height: 28, width: 28))
    }

    @Test(arguments: [[1, 4, 8, 8], [1, 2, 5, 5], [2, 3, 8, 8], [1, 10], [1, 3, 8, 8, 1], [1, 3, 0, 8]])
    func unsupportedShapes(shape: [Int]) {
        #expect(throws: ConvertError.self) { try ImageInput.geometry(of: shape, name: "x.png") }
        do {
            _ = try ImageInput.geometry(of: shape, name: "x.png")
        } catch {
            #expect("\(error)".contains("x.png"))
            #expect("\(error)".contains("\(shape)"))
        }
    }

    @Test func channelCountErrorSaysWhy() throws {
        let error = #expect(throws: ConvertError.self) { try ImageInput.geometry(of: [1, 4, 8, 8], name: "x.png") }
        #expect(error?.description.contains("channel") == true)
    }

    // MARK: - Decoding

    @Test func grayPNGDecodesExactly() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("gray.png")
        let pixels: [UInt8] = (0..<20).map { UInt8($0 * 12 + 3) }  // 5 wide, 4 high
        try Self.writePNG(url, width: 5, height: 4, channels: 1, pixels: pixels)
        let expected = pixels.map { Float($0) / 255 }
        let nchw = try ImageInput.load(path: url.path, inputShape: [1, 1, 4, 5], mean: [0], std: [1])
        #expect(nchw.shape == [1, 1, 4, 5])
        Self.expectClose(nchw.data, expected)
        let nhwc = try ImageInput.load(path: url.path, inputShape: [1, 4, 5, 1])
        #expect(nhwc.shape == [1, 4, 5, 1])
        Self.expectClose(nhwc.data, expected)
        let plane = try ImageInput.load(path: url.path, inputShape: [1, 4, 5])
        Self.expectClose(plane.data, expected)
        // Into an RGB input, gray is replicated across the channels.
        let rgb = try ImageInput.load(path: url.path, inputShape: [1, 3, 4, 5])
        Self.expectClose(rgb.data, expected + expected + expected)
    }

    @Test func rgbPNGInBothLayouts() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("rgb.png")
        // 3 wide, 2 high; pixel p = (10p+1, 10p+2, 10p+5).
        var pixels: [UInt8] = []
        for p in 0..<6 { pixels += [UInt8(10 * p + 1), UInt8(10 * p + 2), UInt8(10 * p + 5)] }
        try Self.writePNG(url, width: 3, height: 2, channels: 3, pixels: pixels)
        let interleaved = pixels.map { Float($0) / 255 }
        let nhwc = try ImageInput.load(path: url.path, inputShape: [1, 2, 3, 3])
        #expect(nhwc.shape == [1, 2, 3, 3])
        Self.expectClose(nhwc.data, interleaved)
        let nchw = try ImageInput.load(path: url.path, inputShape: [1, 3, 2, 3])
        #expect(nchw.shape == [1, 3, 2, 3])
        let planar = (0..<3).flatMap { c in (0..<6).map { p in interleaved[p * 3 + c] } }
        Self.expectClose(nchw.data, planar)
    }

    @Test func rgbIntoGrayscaleInputUsesLuma() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("colours.png")
        let pixels: [UInt8] = [255, 255, 255, 0, 0, 0, 90, 90, 90, 255, 0, 0]  // white, black, gray, red
        try Self.writePNG(url, width: 4, height: 1, channels: 3, pixels: pixels)
        let gray = try ImageInput.load(path: url.path, inputShape: [1, 1, 1, 4]).data
        #expect(abs(gray[0] - 1) < 0.01)
        #expect(gray[1] == 0)
        #expect(abs(gray[2] - 90 / 255) < 0.01)
        #expect(gray[3] > 0.2 && gray[3] < 0.4, "red's luma is about 0.3, got \(gray[3])")
    }

    // MARK: - Resize

    @Test(arguments: [(4, 4), (16, 12), (8, 8), (3, 20)])
    func resizeKeepsConstantImages(size: (height: Int, width: Int)) throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("flat.png")
        try Self.writePNG(url, width: 8, height: 8, channels: 3, pixels: (0..<64).flatMap { _ in [200, 100, 50] as [UInt8] })
        let t = try ImageInput.load(path: url.path, inputShape: [1, 3, size.height, size.width])
        #expect(t.shape == [1, 3, size.height, size.width])
        let plane = size.height * size.width
        for (c, value) in [200, 100, 50].enumerated() {
            Self.expectClose(Array(t.data[(c * plane)..<((c + 1) * plane)]), Array(repeating: Float(value) / 255, count: plane), tolerance: 1e-4)
        }
    }

    @Test func resizeFollowsAGradient() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("ramp.png")
        // Horizontal ramp 0…248 over 32 columns, downsampled to 8 columns: still increasing, in [0, 1].
        try Self.writePNG(url, width: 32, height: 4, channels: 1, pixels: (0..<128).map { UInt8(($0 % 32) * 8) })
        let t = try ImageInput.load(path: url.path, inputShape: [1, 2, 8, 1])
        #expect(t.shape == [1, 2, 8, 1])
        let row = Array(t.data[0..<8])
        #expect(zip(row, row.dropFirst()).allSatisfy { $0 < $1 }, "\(row)")
        #expect(t.data.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(Array(t.data[8..<16]) == row)
    }

    // MARK: - Normalisation

    @Test func meanAndStd() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("two.png")
        // 4 wide, 2 high, RGB.
        let pixels: [UInt8] = [255, 0, 51, 0, 102, 204, 17, 34, 68, 136, 170, 187,
                               1, 2, 3, 250, 240, 230, 128, 64, 32, 9, 99, 199]
        try Self.writePNG(url, width: 4, height: 2, channels: 3, pixels: pixels)
        let x = pixels.map { Float($0) / 255 }
        // One value for every channel (NHWC: interleaved output).
        let single = try ImageInput.load(path: url.path, inputShape: [1, 2, 4, 3], mean: [0.5], std: [0.25])
        Self.expectClose(single.data, x.map { ($0 - 0.5) / 0.25 }, tolerance: 1e-5)
        // Per channel (NCHW: channel-major output).
        let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
        let perChannel = try ImageInput.load(path: url.path, inputShape: [1, 3, 2, 4], mean: mean, std: std)
        var expected: [Float] = []
        for c in 0..<3 { for p in 0..<8 { expected.append((x[p * 3 + c] - mean[c]) / std[c]) } }
        Self.expectClose(perChannel.data, expected, tolerance: 1e-5)
        // Empty arrays mean the defaults.
        let plain = try ImageInput.load(path: url.path, inputShape: [1, 2, 4, 3], mean: [], std: [])
        Self.expectClose(plain.data, x)
    }

    @Test func badMeanOrStdIsAnError() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("p.png")
        try Self.writePNG(url, width: 2, height: 2, channels: 3, pixels: Array(repeating: 9, count: 12))
        let wrongMean = #expect(throws: ConvertError.self) {
            try ImageInput.load(path: url.path, inputShape: [1, 3, 2, 2], mean: [0.1, 0.2], std: [1])
        }
        #expect(wrongMean?.description.contains("mean") == true)
        #expect(wrongMean?.description.contains(url.path) == true)
        let wrongStd = #expect(throws: ConvertError.self) {
            try ImageInput.load(path: url.path, inputShape: [1, 1, 2, 2], mean: [0], std: [1, 2, 3])
        }
        #expect(wrongStd?.description.contains("std") == true)
        let zeroStd = #expect(throws: ConvertError.self) {
            try ImageInput.load(path: url.path, inputShape: [1, 3, 2, 2], mean: [0], std: [1, 0, 1])
        }
        #expect(zeroStd?.description.contains("non-zero") == true)
    }

    // MARK: - Errors

    @Test func missingFile() throws {
        let path = "/nonexistent/octet/none.png"
        let error = #expect(throws: ConvertError.self) { try ImageInput.load(path: path, inputShape: [1, 3, 8, 8]) }
        #expect(error == .io("cannot read image '\(path)': no such file"))
    }

    @Test func undecodableFile() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, bytes) in [("junk.png", Array("not an image".utf8)), ("empty.jpg", []),
                              ("truncated.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0])] as [(String, [UInt8])] {
            let url = dir.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            let error = #expect(throws: ConvertError.self) { try ImageInput.load(path: url.path, inputShape: [1, 1, 4, 4]) }
            #expect(error?.description.contains("cannot decode image '\(url.path)'") == true, "\(String(describing: error))")
        }
    }

    @Test func unsupportedChannelCountNamesFile() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("ok.png")
        try Self.writePNG(url, width: 2, height: 2, channels: 1, pixels: [1, 2, 3, 4])
        let error = #expect(throws: ConvertError.self) { try ImageInput.load(path: url.path, inputShape: [1, 4, 2, 2]) }
        #expect(error?.description.contains(url.path) == true)
    }

    @Test func sampleImagesDecode() throws {
        // docs/images/fashion_<index>_<label>.png from tools/make_sample_images.py.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("docs/images/fashion_0_9.png")
        try #require(FileManager.default.fileExists(atPath: url.path))
        let t = try ImageInput.load(path: url.path, inputShape: [1, 28, 28, 1])
        #expect(t.shape == [1, 28, 28, 1])
        #expect(t.data.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(t.data.contains { $0 > 0.5 })
    }
}

/// `Labels.read`/`parse` and `Labels.topK`.
@Suite struct LabelsTests {
    @Test func parse() {
        #expect(Labels.parse("cat\ndog\n") == ["cat", "dog"])
        #expect(Labels.parse("cat\r\ndog") == ["cat", "dog"])
        #expect(Labels.parse("a\n\nc\n\n\n") == ["a", "", "c"])
        #expect(Labels.parse("  Ankle boot \n") == ["Ankle boot"])
        #expect(Labels.parse("") == [])
    }

    @Test func readFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("labels-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("zero\none\ntwo\n".utf8).write(to: url)
        #expect(try Labels.read(path: url.path) == ["zero", "one", "two"])
        let missing = #expect(throws: ConvertError.self) { try Labels.read(path: url.path + ".missing") }
        #expect(missing?.description.contains("labels file") == true)
    }

    @Test func topK() {
        let row: [Float] = [0.1, 0.7, 0.3, 0.7, -2, 0.3]
        let top = Labels.topK(row, k: 4)
        #expect(top.map(\.index) == [1, 3, 2, 5], "ties keep the lower index first")
        #expect(top.map(\.score) == [0.7, 0.7, 0.3, 0.3])
        #expect(Labels.topK(row, k: 100).map(\.index) == [1, 3, 2, 5, 0, 4])
        #expect(Labels.topK(row, k: 0).isEmpty)
        #expect(Labels.topK(row, k: -3).isEmpty)
        #expect(Labels.topK([], k: 5).isEmpty)
        #expect(Labels.topK([Float.nan, 1, .nan, 2], k: 4).map(\.index) == [3, 1, 0, 2])
        #expect(Labels.topK(Array(repeating: 1, count: 50), k: 3).map(\.index) == [0, 1, 2])
    }

    @Test func topKMatchesSort() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let row = (0..<200).map { _ in Float(Int.random(in: 0..<30, using: &generator)) }
            let expected = row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }.prefix(7)
            #expect(Labels.topK(row, k: 7).map(\.index) == Array(expected))
        }
    }
}
