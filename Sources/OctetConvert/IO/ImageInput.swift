import CImage
import Foundation

/// Turns an image file into a model input tensor.
///
/// Decodes any format stb_image reads (PNG, JPEG, BMP, GIF, PGM/PPM, TGA, PSD, HDR, PIC) and
/// lays the pixels out for a model input given its batch-1 ONNX shape:
///
/// 1. **Layout.** A rank-4 shape is NCHW when axis 1 is 1 or 3 (`[1,3,224,224]`, `[1,1,28,28]`),
///    otherwise NHWC when axis 3 is 1 or 3 (`[1,28,28,1]`, `[1,32,32,3]`). NCHW wins when both
///    fit. A rank-3 shape `[1,H,W]` is a single grayscale plane.
/// 2. **Channels.** 1 channel decodes as grayscale (stb's luma weights), 3 as RGB; alpha is dropped.
/// 3. **Size.** The image is resized to H×W with stb_image_resize when its size differs.
/// 4. **Values.** Pixels are scaled to [0, 1] (÷255), then normalised per channel:
///    `(x − mean[c]) / std[c]`. `mean` and `std` hold 1 value (all channels) or C values; an empty
///    array means the default (mean 0, std 1).
///
/// ```swift
/// let x = try ImageInput.load(path: "cat.jpg", inputShape: [1, 3, 224, 224],
///                             mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
/// // x.shape == [1, 3, 224, 224]
/// ```
///
/// Errors are `ConvertError` values naming the file: `.io` when it cannot be read,
/// `.invalidInput` when stb cannot decode it (with stb's reason), when the shape is not an image
/// shape with 1 or 3 channels, or when `mean`/`std` have the wrong length or a zero `std`.
public enum ImageInput {
    /// Where the channel axis sits in a model's image input.
    public enum Layout: String, Sendable, Equatable {
        /// `[N, C, H, W]` (also used for rank-3 `[N, H, W]` with C = 1).
        case nchw
        /// `[N, H, W, C]`.
        case nhwc
    }

    /// The layout and dimensions of an image input shape (batch-1 ONNX layout).
    public struct Geometry: Sendable, Equatable {
        public var layout: Layout
        public var channels: Int
        public var height: Int
        public var width: Int

        public init(layout: Layout, channels: Int, height: Int, width: Int) {
            self.layout = layout
            self.channels = channels
            self.height = height
            self.width = width
        }
    }

    /// File name extensions treated as images by the command line (lowercase, no dot).
    public static let fileExtensions: Set<String> = ["png", "jpg", "jpeg", "bmp", "gif", "pgm", "ppm", "pnm", "tga", "psd", "hdr", "pic"]

    /// Detects the layout of a batch-1 input shape. `name` only labels error messages.
    public static func geometry(of inputShape: [Int], name: String = "image") throws -> Geometry {
        func fail(_ why: String) -> ConvertError {
            .invalidInput("cannot use image '\(name)' for input shape \(inputShape): \(why)")
        }
        guard inputShape.first == 1 else {
            throw fail("expected a batch-1 shape [1, C, H, W], [1, H, W, C] or [1, H, W]")
        }
        let geometry: Geometry
        switch inputShape.count {
        case 3:
            geometry = Geometry(layout: .nchw, channels: 1, height: inputShape[1], width: inputShape[2])
        case 4:
            if inputShape[1] == 1 || inputShape[1] == 3 {
                geometry = Geometry(layout: .nchw, channels: inputShape[1], height: inputShape[2], width: inputShape[3])
            } else if inputShape[3] == 1 || inputShape[3] == 3 {
                geometry = Geometry(layout: .nhwc, channels: inputShape[3], height: inputShape[1], width: inputShape[2])
            } else {
                throw fail("unsupported channel count (neither axis 1 nor axis 3 is 1 or 3; images have 1 (grayscale) or 3 (RGB) channels)")
            }
        default:
            throw fail("not an image shape (rank \(inputShape.count); expected [1, C, H, W], [1, H, W, C] or [1, H, W])")
        }
        guard geometry.height > 0, geometry.width > 0, geometry.height <= 1 << 15, geometry.width <= 1 << 15 else {
            throw fail("image size \(geometry.height)×\(geometry.width) is out of range")
        }
        return geometry
    }

    /// Loads the image at `path` as a `[1, …]` tensor for a model input of shape `inputShape`
    /// (batch-1, ONNX layout). See the type's documentation for the steps.
    public static func load(path: String, inputShape: [Int], mean: [Float] = [0], std: [Float] = [1]) throws -> Tensor {
        let geometry = try geometry(of: inputShape, name: path)
        let (mean, std) = try normalisation(mean: mean, std: std, channels: geometry.channels, name: path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConvertError.io("cannot read image '\(path)': \(readFailureReason(path))")
        }
        var pixels = try decode(data, channels: geometry.channels, name: path)
        if pixels.height != geometry.height || pixels.width != geometry.width {
            pixels = try resize(pixels, height: geometry.height, width: geometry.width, name: path)
        }
        return layOut(pixels, geometry: geometry, shape: inputShape, mean: mean, std: std)
    }

    // MARK: - Steps

    /// Interleaved (HWC) float pixels in [0, 1].
    struct Pixels {
        var width: Int
        var height: Int
        var channels: Int
        var values: [Float]
    }

    /// Expands `mean`/`std` to one value per channel and checks them.
    static func normalisation(mean: [Float], std: [Float], channels: Int, name: String) throws -> (mean: [Float], std: [Float]) {
        func expand(_ values: [Float], _ what: String, _ defaultValue: Float) throws -> [Float] {
            if values.isEmpty { return Array(repeating: defaultValue, count: channels) }
            if values.count == 1 { return Array(repeating: values[0], count: channels) }
            guard values.count == channels else {
                throw ConvertError.invalidInput("\(what) for image '\(name)' has \(values.count) values; the model input has \(channels) channel(s), so give 1 or \(channels)")
            }
            return values
        }
        let m = try expand(mean, "mean", 0)
        let s = try expand(std, "std", 1)
        guard m.allSatisfy(\.isFinite) else {
            throw ConvertError.invalidInput("mean for image '\(name)' has a non-finite value: \(mean)")
        }
        guard s.allSatisfy({ $0.isFinite && $0 != 0 }) else {
            throw ConvertError.invalidInput("std for image '\(name)' must be finite and non-zero, got \(std)")
        }
        return (m, s)
    }

    /// Decodes with stb_image to `channels` (1 = grayscale, 3 = RGB) and scales to [0, 1].
    static func decode(_ data: Data, channels: Int, name: String) throws -> Pixels {
        guard !data.isEmpty else {
            throw ConvertError.invalidInput("cannot decode image '\(name)': the file is empty")
        }
        guard data.count <= Int(Int32.max) else {
            throw ConvertError.invalidInput("cannot decode image '\(name)': the file is too large (\(data.count) bytes)")
        }
        var width: Int32 = 0, height: Int32 = 0, fileChannels: Int32 = 0
        let decoded: UnsafeMutablePointer<stbi_uc>? = data.withUnsafeBytes { raw in
            stbi_load_from_memory(raw.bindMemory(to: stbi_uc.self).baseAddress, Int32(raw.count),
                                  &width, &height, &fileChannels, Int32(channels))
        }
        guard let decoded else {
            let reason = stbi_failure_reason().map { String(cString: $0) } ?? "unknown error"
            throw ConvertError.invalidInput("cannot decode image '\(name)': \(reason) (stb_image reads PNG, JPEG, BMP, GIF, PNM, TGA, PSD, HDR, PIC)")
        }
        defer { stbi_image_free(decoded) }
        guard width > 0, height > 0 else {
            throw ConvertError.invalidInput("cannot decode image '\(name)': empty image (\(width)×\(height))")
        }
        let count = Int(width) * Int(height) * channels
        let values = UnsafeBufferPointer(start: decoded, count: count).map { Float($0) / 255 }
        return Pixels(width: Int(width), height: Int(height), channels: channels, values: values)
    }

    /// Resizes with stb_image_resize (its default filters, linear colour space).
    static func resize(_ pixels: Pixels, height: Int, width: Int, name: String) throws -> Pixels {
        var out = [Float](repeating: 0, count: width * height * pixels.channels)
        let ok = pixels.values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                stbir_resize_float(src.baseAddress, Int32(pixels.width), Int32(pixels.height), 0,
                                   dst.baseAddress, Int32(width), Int32(height), 0, Int32(pixels.channels))
            }
        }
        guard ok != 0 else {
            throw ConvertError.invalidInput("cannot resize image '\(name)' from \(pixels.width)×\(pixels.height) to \(width)×\(height)")
        }
        // The resampling filters overshoot a little at sharp edges; keep values in [0, 1].
        for i in out.indices { out[i] = min(max(out[i], 0), 1) }
        return Pixels(width: width, height: height, channels: pixels.channels, values: out)
    }

    /// Normalises and transposes HWC pixels into the model's layout.
    static func layOut(_ pixels: Pixels, geometry: Geometry, shape: [Int], mean: [Float], std: [Float]) -> Tensor {
        let c = geometry.channels, plane = geometry.height * geometry.width
        var out = [Float](repeating: 0, count: plane * c)
        pixels.values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for p in 0..<plane {
                    for ch in 0..<c {
                        let v = (src[p * c + ch] - mean[ch]) / std[ch]
                        switch geometry.layout {
                        case .nchw: dst[ch * plane + p] = v
                        case .nhwc: dst[p * c + ch] = v
                        }
                    }
                }
            }
        }
        return Tensor(shape: shape, data: out)
    }

    private static func readFailureReason(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        return "permission denied or unreadable"
    }
}
