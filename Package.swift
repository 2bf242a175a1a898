// swift-tools-version:6.0
// Ember: an eager deep-learning framework for Swift with tape-based reverse-mode autodiff.
import PackageDescription

let package = Package(
    name: "Ember",
    products: [
        .library(name: "Ember", targets: ["Ember"]),
        .executable(name: "ember-bench", targets: ["ember-bench"]),
        .executable(name: "TensorsAndAutograd", targets: ["TensorsAndAutograd"]),
        .executable(name: "Classifier", targets: ["Classifier"]),
        .executable(name: "GAN", targets: ["GAN"]),
        .executable(name: "DCGAN", targets: ["DCGAN"]),
        .executable(name: "DCGANTransposed", targets: ["DCGANTransposed"]),
        .executable(name: "AutoencoderVAE", targets: ["AutoencoderVAE"]),
        .executable(name: "CheckpointsAndResume", targets: ["CheckpointsAndResume"]),
        .executable(name: "WGANGP", targets: ["WGANGP"]),
        .executable(name: "ConditionalGAN", targets: ["ConditionalGAN"]),
    ],
    targets: [
        // zlib, present wherever Swift runs on Linux and on macOS: gzip datasets, PNG.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // The hot micro-kernels, compiled per function for AVX2/FMA and chosen at run time.
        .target(name: "CEmberKernels", path: "Sources/CEmberKernels"),
        .target(
            name: "Ember",
            dependencies: ["CZlib", "CEmberKernels"],
            path: "Sources/Ember",
            // The 10,000-image MNIST test split, so a first run trains on real digits offline.
            resources: [.copy("Resources/mnist")]
        ),
        .executableTarget(name: "ember-bench", dependencies: ["Ember"], path: "Sources/ember-bench"),
        // Shared helpers of the tutorials: flags, run logs, sample scoring.
        .target(name: "TutorialSupport", dependencies: ["Ember"], path: "Tutorials/Support"),
        .executableTarget(
            name: "TensorsAndAutograd", dependencies: ["Ember"],
            path: "Tutorials/01-TensorsAndAutograd", exclude: ["README.md"]
        ),
        .executableTarget(
            name: "Classifier", dependencies: ["Ember", "TutorialSupport"],
            path: "Tutorials/02-Classifier", exclude: ["README.md", "images"]
        ),
        .executableTarget(
            name: "GAN", dependencies: ["Ember", "TutorialSupport"],
            path: "Tutorials/03-GAN", exclude: ["README.md", "images"]
        ),
        .executableTarget(
            name: "DCGAN", dependencies: ["Ember", "TutorialSupport"],
            path: "Tutorials/04-DCGAN", exclude: ["README.md", "images"]
        ),
        .executableTarget(
            name: "DCGANTransposed", dependencies: ["Ember", "TutorialSupport"],
            path: "Tutorials/05-DCGAN-Transposed", exclude: ["README.md", "images"]
        ),
        .executableTarget(
            name: "AutoencoderVAE", dependencies: ["Ember", "TutorialSupport"],
            path: "Tutorials/06-AutoencoderVAE", exclude: ["README.md", "images"]
        ),
        .executableTarget(
            name: "CheckpointsAndResume", dependencies: ["Ember", "TutorialSupport"],
            path: "Tutorials/07-CheckpointsAndResume", exclude: ["README.md", "images"]
        ),
        .executableTarget(
            name: "WGANGP", dependencies: ["Ember", "TutorialSupport"],
            path: "Tutorials/08-WGAN-GP", exclude: ["README.md", "images"]
        ),
        .executableTarget(
            name: "ConditionalGAN", dependencies: ["Ember", "TutorialSupport"],
            path: "Tutorials/09-ConditionalGAN", exclude: ["README.md", "images"]
        ),
        .testTarget(
            name: "EmberTests", dependencies: ["Ember", "TutorialSupport"], path: "Tests/EmberTests",
            resources: [.copy("Fixtures")]
        ),
    ]
)
