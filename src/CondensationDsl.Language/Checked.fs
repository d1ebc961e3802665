/// The checked experiment: what the checker proved about a document, in the shape the emitter needs. Expressions
/// stay syntax trees (the emitter turns them into C#, so `--set` and sweeps re-evaluate them); every constant the
/// checker folded is kept next to them for the static parts of the program (ExperimentInfo).
module CondensationDsl.Language.Checked

open CondensationDsl.Language.Syntax

type CheckedLet =
    { Name: string
      Value: Expr
      /// The value with every let at its default.
      Default: float
      /// The default is written as a whole-number literal (ParameterType.Integer).
      IsInteger: bool
      /// The default refers to other lets, so it is re-evaluated from them (DefaultValue null).
      IsComputed: bool
      /// The default as written in the source.
      Text: string
      /// Some word for a let whose value is a word (an activation: `let act = tanh`); Default is then its index in
      /// Checker.activations, the order of the Runtime Activation enum.
      Word: string option }

/// A layer's activation: fixed in the source, or read from a word-valued let (so --set and sweeps can change it).
type CheckedActivation =
    /// Runtime Activation enum member name.
    | FixedActivation of string
    | ActivationFromLet of letName: string

type CheckedLayerKind =
    | DenseLayer
    /// `dropout d(keep: p)`: keeps each output with probability p during training and scales it by 1/p.
    | DropoutLayer of keep: Expr

type CheckedLayer =
    { Name: string
      Kind: CheckedLayerKind
      /// A dropout layer's width is the previous layer's.
      Width: Expr
      Activation: CheckedActivation
      Bias: bool
      /// std expression of the layer's own `init: normal(std: …)`; None uses the model's.
      InitStd: Expr option }

type DataKind =
    | GridData
    | UniformData

type CheckedData =
    { Name: string
      Kind: DataKind
      From: Expr
      To: Expr
      Points: Expr
      /// Constant dimension (x or x1..xd in the target).
      Dim: int
      Target: Expr }

type CheckedOptimizer =
    | Gd of lr: Expr
    | Sgd of lr: Expr * batch: Expr
    | Adam of lr: Expr * beta1: Expr * beta2: Expr * eps: Expr

type CheckedTraining =
    { Optimizer: CheckedOptimizer
      /// Runtime DurationUnit member name: Epochs or Steps.
      Unit: string
      Length: Expr
      StopBelow: Expr option
      /// `on divergence halve lr, retry N`
      Retries: Expr option }

type CheckedMeasure =
    | MLoss
    | MFeatures of layer: string * amplitude: string
    | MCosine of layer: string
    | MCosineOutputs of layer: string * data: string * count: Expr
    | MClusters of layer: string * threshold: Expr * signed: bool * negligible: Expr * mass: Expr * lineSize: Expr
    | MRelDis of layer: string

type CheckedSchedule =
    | SEvery of interval: Expr
    | SAt of points: int64 list

type CheckedObservation =
    { Schedule: CheckedSchedule
      Measures: CheckedMeasure list }

type CheckedExpectation =
    { Metric: string
      AtStep: int64 option
      /// Runtime ComparisonOperator member name.
      Operator: string
      Value: float
      SourceText: string
      Line: int
      /// `where a in [values], …` (word values as their indices); empty: every cell.
      Conditions: (string * float list) list }

/// A sweep axis; a tuple axis `(a, b) in [...]` has several names and each point gives all of them.
type CheckedSweepAxis = { Names: string list; Points: float list list }

type CheckedReduction =
    { Layer: string
      Threshold: Expr
      Negligible: Expr
      Agreement: Expr
      /// The train block after the reduce statement.
      FineTune: CheckedTraining option }

/// `summary phase_diagram(gamma, gamma_prime, width: m, layer: hidden)`: names of two lets, the width let and a layer.
type CheckedPhaseDiagram =
    { Gamma: string
      GammaPrime: string
      Width: string
      Layer: string }

/// `summary loss_spectrum(by: m, bins: 200, from: -5, to: 0)`: the let whose values give the rows, and the binning of log10(loss).
type CheckedLossSpectrum =
    { By: string
      Bins: int
      From: float
      To: float }

/// `embed L (neuron: k, split: s, tolerance: t)`: neuron is 1-based here (as written), 0-based in the emitted EmbeddingSpec.
type CheckedEmbedding =
    { Layer: string
      Neuron: Expr
      Split: Expr
      Tolerance: Expr }

type CheckedExperiment =
    { Name: string
      Title: string
      Lets: CheckedLet list
      SeedDeclared: bool
      Data: CheckedData
      ModelName: string
      Input: Expr
      Layers: CheckedLayer list
      /// The model's `init normal(std: …)`; None when every layer declares its own.
      ModelInitStd: Expr option
      /// `init normal(…, antisymmetric: true)`: the initial output is exactly zero (see ModelSpec.Antisymmetric).
      Antisymmetric: bool
      /// `scale e` of the model: its output times e.
      OutputScale: Expr option
      Training: CheckedTraining
      Observations: CheckedObservation list
      Sweep: CheckedSweepAxis list
      Expectations: CheckedExpectation list
      Reduction: CheckedReduction option
      PhaseDiagram: CheckedPhaseDiagram option
      LossSpectrum: CheckedLossSpectrum option
      Embedding: CheckedEmbedding option }
