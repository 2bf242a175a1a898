import Foundation

/// Writes a batch of images [B, C, H, W] (C = 1 or 3) as one grid PNG, like torchvision's
/// `save_image`: `nrow` images per row, `padding` pixels between them. Values are mapped from
/// `range` to [0, 255] (default [-1, 1], the range of a tanh generator; pass `0...1` for
/// `ToTensor()` images).
public func saveImageGrid(_ images: Tensor, to url: URL, nrow: Int = 8, padding: Int = 2,
                          range: ClosedRange<Float> = -1...1, padValue: Float = 0) throws {
    let picture = try imageGrid(images, nrow: nrow, padding: padding, range: range, padValue: padValue)
    try PNG.write(picture, to: url)
}

/// The picture `saveImageGrid` would write.
public func imageGrid(_ images: Tensor, nrow: Int = 8, padding: Int = 2, range: ClosedRange<Float> = -1...1,
                      padValue: Float = 0) throws -> PixelImage {
    let x = images.rank == 3 ? images.unsqueeze(0) : images
    return try ImageGrid.make(values: x.detach().toArray(), shape: x.shape, nrow: nrow, padding: padding,
                              padValue: padValue, normalize: true, range: range)
}

extension TensorBoardWriter {
    /// Logs a batch of images [B, C, H, W] as one grid picture.
    public func addImages(tag: String, _ images: Tensor, step: Int, nrow: Int = 8, range: ClosedRange<Float> = -1...1) throws {
        try addImage(tag: tag, image: imageGrid(images, nrow: nrow, range: range), step: step)
    }
}
