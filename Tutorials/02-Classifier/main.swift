// Tutorial 02: a small convolutional network that sorts handwritten digits (MNIST) or clothes
// (Fashion-MNIST) into ten classes. It prints the test accuracy after every epoch, writes logs,
// a loss curve, pictures of its answers and resumable checkpoints. The MNIST run also saves the
// classifier the GAN tutorials use to judge their generated digits.
//
//   swift run -c release Classifier                                          # bundled MNIST digits
//   swift run -c release Classifier --data ../shared/datasets/fashion-mnist  # 60,000 clothes
import Ember
import Foundation
import TutorialSupport

// MARK: - 1. Flags

let tutorial = "classifier"
let options = TutorialOptions.parse(
    tutorial: tutorial,
    summary: "a CNN classifier for MNIST digits or Fashion-MNIST clothes, with test accuracy per epoch.\n"
        + "Trains 3 epochs unless --epochs or --steps says otherwise (375 steps is 3 epochs of the bundled digits).",
    defaultSteps: 375, defaultBatchSize: 64,
    extraFlags: [
        .init("dataset", help: "mnist, fashion or auto (default auto: told apart by their mean pixel)"),
        .init("lr", help: "Adam's starting learning rate, annealed to 0 along a cosine (default 0.002)"),
        .init("test-size", help: "images held out for testing when --data has no train split (default 2000)"),
        .init("classifier-out", help: "where the MNIST run saves its classifier (default \(defaultClassifierPath.relativePath))"),
    ])

/// Prints `message` on its own line, even while the progress bar is being redrawn in place.
func say(_ message: String) {
    if isatty(1) == 1 { print("\r\u{1B}[2K", terminator: "") }
    print(message)
}

/// Stops with exit code 2 (bad input), like `TutorialOptions.parse` does for a bad flag.
func stop(_ message: String) -> Never {
    FileHandle.standardError.write("\(tutorial): \(message)\n".data(using: .utf8)!)
    exit(2)
}

let datasetFlag = options.extra["dataset"] ?? "auto"
guard ["mnist", "fashion", "auto"].contains(datasetFlag) else {
    stop("invalid value '\(datasetFlag)' for --dataset (use mnist, fashion or auto)")
}
let learningRate = options.double("lr", 2e-3)
let testSize = options.int("test-size", 2000)
guard learningRate > 0, testSize > 0 else { stop("--lr and --test-size must be positive") }
manualSeed(options.seed)

// MARK: - 2. Data

// Training images come from the `train` split of --data, or from the 10,000 MNIST test digits
// bundled with Ember. Test images are the folder's `t10k` split when it also has a train split;
// otherwise the last `testSize` images are held out and never trained on.
var trainSet: MNISTDataset, testSet: MNISTDataset, testSource: String
if let folder = options.dataDirectory, let train = try? MNISTDataset(directory: folder, split: .train) {
    trainSet = train
    do {
        testSet = try MNISTDataset(directory: folder, split: .test)
        testSource = "the folder's separate test split"
    } catch {
        stop("\(folder.path) has a train split but no test split (t10k-images-idx3-ubyte): \(error)")
    }
} else {
    let all = loadTrainingData(options, tutorial: tutorial)   // exits with code 2 when unreadable
    let held = min(testSize, all.count / 2)
    trainSet = all.prefix(all.count - held)
    testSet = MNISTDataset(images: all.images[(all.count - held)..<all.count].contiguous(),
                           labels: all.labels[(all.count - held)..<all.count].contiguous())
    testSource = "the last \(held) images, held out from training"
}

// MNIST digits are mostly black background (mean pixel 0.13); Fashion-MNIST clothes fill more of
// the picture (0.29). That tells the two apart when --dataset is auto.
let meanPixel = Double(trainSet.images.mean().item())
let isFashion = datasetFlag == "auto" ? meanPixel > 0.2 : datasetFlag == "fashion"
let datasetName = isFashion ? "Fashion-MNIST" : "MNIST"
let classNames = isFashion ? MNISTDataset.fashionClassNames : (0...9).map(String.init)
print("\(datasetName)\(datasetFlag == "auto" ? String(format: " (mean pixel %.3f)", meanPixel) : ""): "
      + "\(trainSet.count) training images; testing on \(testSet.count) images, \(testSource)")

// Pixels to [-1, 1], the range the GAN tutorials' generators produce.
let train = trainSet.normalized(mean: 0.5, std: 0.5)
let test = testSet.normalized(mean: 0.5, std: 0.5)
let loader = DataLoader(train, batchSize: options.batchSize, shuffle: true, dropLast: true,
                        generator: Generator(seed: options.seed &+ 1))
guard loader.batchesPerEpoch > 0 else { stop("--batch-size \(options.batchSize) is larger than the \(train.count) training images") }

// `--epochs N` counts passes over the training images; `--steps N` counts batches. Without
// either, both train 3 epochs.
let defaultEpochs = 3
let explicitSteps = CommandLine.arguments.contains("--steps")
let totalSteps = options.epochs.map { $0 * loader.batchesPerEpoch }
    ?? (explicitSteps ? options.steps : defaultEpochs * loader.batchesPerEpoch)

// MARK: - 3. The network, the optimizer and the learning-rate schedule

// DigitClassifier (Tutorials/Support/Classifier.swift): two 3x3 convolutions with batch norm,
// ReLU and 2x2 max pooling (28 → 14 → 7), then 3136 → 128 → 10 with dropout.
let model = DigitClassifier()
let optimizer = Adam(model.parameters(), lr: learningRate)
let schedule = CosineAnnealingLR(optimizer, tMax: totalSteps)   // stepped once per batch
print("DigitClassifier: \(model.parameters().reduce(0) { $0 + $1.count }) parameters; "
      + "Adam, learning rate \(learningRate) annealed to 0 over \(totalSteps) steps of \(options.batchSize)")

// Everything a resumed run needs to carry on exactly where this one stopped.
let state: [String: Checkpointable] = ["model": model, "optimizer": optimizer, "schedule": schedule,
                                       "loader": loader, "rng": Generator.default]
var step = 0
if let resume = options.resume {
    do {
        step = try Checkpoint.load(from: resume, into: state).counters["step"] ?? 0
        print("Resumed from \(resume.path) at step \(step)")
    } catch {
        stop("cannot resume from \(resume.path): \(error)")
    }
}

// MARK: - 4. Training and evaluation

/// Accuracy and mean loss of `model` on `data`, with every prediction; dropout off, batch norm
/// on its running statistics, no graph recorded.
func evaluate(_ model: DigitClassifier, on data: MNISTDataset) -> (accuracy: Double, loss: Double, predictions: [Int]) {
    model.eval()
    defer { model.train() }
    var predictions: [Int] = [], lossSum = 0.0
    var start = 0
    while start < data.count {
        let end = min(start + 500, data.count)
        let logits = withNoGrad { model(data.images[start..<end]) }
        let labels = data.labels[start..<end]
        lossSum += Double(crossEntropy(logits, labels, reduction: .sum).item())
        predictions += logits.argmax(dim: 1).toIntArray()
        start = end
    }
    let correct = zip(predictions, data.labels.toIntArray()).filter { $0 == $1 }.count
    return (Double(correct) / Double(data.count), lossSum / Double(data.count), predictions)
}

let log = try RunLog(directory: options.outDirectory, total: totalSteps, description: "train")
let checkpoints = options.outDirectory.appendingPathComponent("checkpoints")
let logEvery = max(1, min(20, loader.batchesPerEpoch / 10))
var lossSum = 0.0, correctSum = 0, seen = 0, logged = 0
let started = Date()
var epochStarted = Date()
var lastResult: (accuracy: Double, loss: Double, predictions: [Int])?

model.train()
while step < totalSteps {
    let (images, labels) = loader.nextBatch()
    optimizer.zeroGrad()
    let logits = model(images)
    let loss = crossEntropy(logits, labels)
    loss.backward()
    optimizer.step()
    schedule.step()
    step += 1

    lossSum += Double(loss.item()) * Double(labels.count)
    correctSum += zip(logits.argmax(dim: 1).toIntArray(), labels.toIntArray()).filter { $0 == $1 }.count
    seen += labels.count
    logged += 1
    if logged == logEvery || step == totalSteps {
        // Averages over the last few batches make a smoother curve than single batches.
        log.log(step: step, [("loss", lossSum / Double(seen)), ("train_accuracy", Double(correctSum) / Double(seen))])
        lossSum = 0; correctSum = 0; seen = 0; logged = 0
    }

    // The end of an epoch (or of the run): test accuracy, and a checkpoint to resume from.
    let endOfEpoch = loader.batchIndex == loader.batchesPerEpoch
    if endOfEpoch || step == totalSteps {
        let result = evaluate(model, on: test)
        lastResult = result
        let epoch = Double(step) / Double(loader.batchesPerEpoch)
        log.log(step: step, [("test_loss", result.loss), ("test_accuracy", result.accuracy)])
        say(String(format: "epoch %@: test accuracy %.2f%%, test loss %.4f (%.0f s)",
                   endOfEpoch ? "\(loader.epoch + 1)" : String(format: "%.2f", epoch),
                   result.accuracy * 100, result.loss, Date().timeIntervalSince(epochStarted)))
        epochStarted = Date()
        try Checkpoint.save(inDirectory: checkpoints, step: step, keepLast: 2, objects: state,
                            counters: ["step": step, "epoch": loader.epoch + (endOfEpoch ? 1 : 0)],
                            metadata: ["dataset": datasetName])
    }
}
log.finish(title: "\(datasetName) classifier")
let result = lastResult ?? evaluate(model, on: test)   // a resumed run that had nothing left to do
print(String(format: "Trained %d steps in %.0f s. Test accuracy %.2f%% on %d %@ images",
             step, Date().timeIntervalSince(started), result.accuracy * 100, test.count, datasetName))

// MARK: - 5. Look at the results

// Accuracy per class: where does the network go wrong?
let truth = test.labels.toIntArray()
var perClass = ""
for c in 0..<10 {
    let members = truth.indices.filter { truth[$0] == c }
    guard !members.isEmpty else { continue }
    let right = members.filter { result.predictions[$0] == c }.count
    perClass += String(format: "  %@ %.1f%%", classNames[c], 100 * Double(right) / Double(members.count))
}
print("Per class:" + perClass)

// The first 32 test images with the network's answer (green when right; red, with the true
// class in grey underneath, when wrong), and 32 of its mistakes.
@MainActor func caption(_ i: Int) -> LabelledImage {
    let predicted = result.predictions[i], actual = truth[i]
    var lines = [(text: classNames[predicted], color: predicted == actual ? correctGreen : wrongRed)]
    if predicted != actual { lines.append((text: "(\(classNames[actual]))", color: captionGrey)) }
    return LabelledImage(pixels: testSet.images[i].toArray(), lines: lines)
}
let samples = options.outDirectory.appendingPathComponent("samples")
try PNG.write(labelledGrid((0..<min(32, test.count)).map(caption), columns: 8), to: samples.appendingPathComponent("predictions.png"))
let mistakes = truth.indices.filter { result.predictions[$0] != truth[$0] }.prefix(32)
if !mistakes.isEmpty {
    try PNG.write(labelledGrid(mistakes.map(caption), columns: 8), to: samples.appendingPathComponent("mistakes.png"))
}
print("Pictures of the answers: \(samples.path)/predictions.png and mistakes.png")

// MARK: - 6. Save the classifier

// The trained weights alone, in safetensors with PyTorch names (conv1.weight, bn1.running_mean, ...).
let modelFile = options.outDirectory.appendingPathComponent(isFashion ? "fashion-classifier.safetensors" : "mnist-classifier.safetensors")
try model.saveSafetensors(to: modelFile)
print("Classifier saved to \(modelFile.path)")
if !isFashion {
    // The GAN tutorials load the MNIST classifier from here to score their samples.
    let shared = options.extra["classifier-out"].map { URL(fileURLWithPath: $0) } ?? defaultClassifierPath
    try FileManager.default.createDirectory(at: shared.deletingLastPathComponent(), withIntermediateDirectories: true)
    try model.saveSafetensors(to: shared)
    print("... and to \(shared.path), where the GAN tutorials look for it")
}
print("Logs: \(options.outDirectory.path) (losses.csv, loss_curve.png, tensorboard/, checkpoints/)")
