/// The syntax tree of a .cond file, exactly as written (rules of grammar/cond.ebnf). Every node keeps its span so the
/// checker can point at it; nothing here is interpreted yet (an unknown layer kind is still a layer statement).
module CondensationDsl.Language.Syntax

/// Where a node sits: character offsets [Start, End) into the text and the 1-based line and column of Start.
[<Struct>]
type Span =
    { Start: int
      End: int
      Line: int
      Column: int }

    member s.Length = max 1 (s.End - s.Start)

let spanUnion (a: Span) (b: Span) = { a with End = max a.End b.End }

type Ident = { Text: string; Span: Span }

type BinaryOp =
    | Add
    | Sub
    | Mul
    | Div
    | Pow

/// expression (EBNF: expression, term, factor, power, atom). Calls and tuples are general here; the checker decides
/// where a named argument, a tuple or a bare word (relu, true, full) is allowed.
type Expr =
    | Number of value: float * text: string * span: Span
    | Variable of name: Ident
    | Negate of operand: Expr * span: Span
    | Binary of op: BinaryOp * left: Expr * right: Expr * span: Span
    | Call of name: Ident * args: Arg list * span: Span
    | Tuple of items: Expr list * span: Span
    /// A string in double quotes (a file path of idx data).
    | StringLit of value: string * span: Span

    member e.Span =
        match e with
        | StringLit(_, s)
        | Number(_, _, s)
        | Negate(_, s)
        | Binary(_, _, _, s)
        | Call(_, _, s)
        | Tuple(_, s) -> s
        | Variable id -> id.Span

/// argument (EBNF: argument): `value` or `name: value`.
and Arg = { Name: Ident option; Value: Expr; Span: Span }

type CompareOp =
    | Lt
    | Le
    | Gt
    | Ge
    | Eq
    | Ne

/// model_item
type ModelItem =
    | Input of size: Expr * span: Span
    | Layer of kind: Ident * name: Ident * args: Arg list * span: Span
    | Init of init: Expr * span: Span
    /// `scale e`: the model's output is multiplied by e (the phase diagram's 1/α).
    | Scale of factor: Expr * span: Span
    /// `flatten`: images become vectors (C·H·W values per sample) for the dense layers after it.
    | Flatten of span: Span
    /// A predefined network as one line, `resnet18(width: 0.25, classes: 10)`: its layers under their own names.
    | Network of kind: Ident * args: Arg list * span: Span

/// train_item
type TrainItem =
    | LossItem of loss: Ident * span: Span
    | OptimizerItem of optimizer: Expr * span: Span
    | DurationItem of unit: Ident * length: Expr * span: Span
    | UntilItem of metric: Ident * op: CompareOp * value: Expr * span: Span
    /// `on divergence halve lr, retry N`
    | RetryItem of retries: Expr * span: Span

/// measure_source: `weights` or `outputs on <data> <count>` (what a cosine matrix compares).
type MeasureSource =
    | Weights of span: Span
    | Outputs of data: Ident * count: Expr * span: Span
    /// `on <data>`: a loss or an accuracy over another data set.
    | On of data: Ident * span: Span

/// measure: `kind [layer] [source] [(args)]`. A layer reference (here and in expect) is a name, a dotted name of a layer
/// inside a network (`layer4.1.conv2`), or `first conv` / `last conv` (the Ident's text is then "first conv"/"last conv",
/// its span both words); the checker resolves it.
type Measure =
    { Kind: Ident
      Layer: Ident option
      Source: MeasureSource option
      Args: Arg list
      Span: Span }

/// schedule
type Schedule =
    | Every of interval: Expr * span: Span
    | At of points: Expr list * span: Span
    /// `when accuracy >= 0.95`: once, at the first counted step where the training data's measure meets the condition.
    | When of metric: Ident * op: CompareOp * value: Expr * span: Span

/// sweep_values
type SweepValues =
    | ValueList of values: Expr list * span: Span
    | Range of from: Expr * upTo: Expr * span: Span

/// sweep_axis: `name in …`, or `(a, b) in [(1, 2), …]` whose names take their values together.
type SweepAxisSyntax =
    { Names: Ident list
      Values: SweepValues
      Span: Span }

/// expect_step
type ExpectStep =
    | AtStep of step: Expr
    | AtEnd of span: Span

/// One test of expect_condition (`where a in [...], b in [...]`): the expectation is about the sweep cells where every
/// named let has one of its listed values.
type ExpectCondition =
    { Name: Ident
      Values: Expr list
      Span: Span }

type Statement =
    | ExperimentDecl of name: Ident * title: (string * Span) option * span: Span
    | Let of name: Ident * value: Expr * span: Span
    | Data of name: Ident * source: Expr * target: Expr option * span: Span
    | Model of name: Ident * items: ModelItem list * span: Span
    | Train of items: TrainItem list * span: Span
    | Observe of schedule: Schedule * measures: Measure list * span: Span
    | Sweep of axes: SweepAxisSyntax list * span: Span
    | Expect of
        measure: Ident * layer: Ident option * step: ExpectStep * op: CompareOp * value: Expr * conditions: ExpectCondition list * span: Span
    /// `reduce layer (options)`: after training, merge the layer's condensed neurons; a train block after it fine-tunes.
    | Reduce of layer: Ident * args: Arg list * span: Span
    /// `summary phase_diagram(gamma, gamma_prime, width: m, layer: hidden)`: a result of the whole sweep.
    | Summary of call: Expr * span: Span
    /// `embed L (neuron: k, split: s, tolerance: t)`: after training, split a neuron and check the embedding principle.
    | Embed of layer: Ident * args: Arg list * span: Span

type Document = { Statements: Statement list }
