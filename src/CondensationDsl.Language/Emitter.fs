/// Checked experiment → one C# file written against CondensationDsl.Runtime.Program. Everything is generated from the
/// syntax tree: names are validated identifiers (escaped or renamed where they would clash), strings become escaped
/// literals and numbers round-trip literals, so no input text reaches the output unquoted. Output depends only on the
/// input (no paths beyond the file name, no time, "\n" line ends): the same file emits byte-identical C#.
module CondensationDsl.Language.Emitter

open System
open System.Globalization
open System.Text
open CondensationDsl.Language.Syntax
open CondensationDsl.Language.Checked

let private csharpKeywords =
    set [ "abstract"; "as"; "base"; "bool"; "break"; "byte"; "case"; "catch"; "char"; "checked"; "class"; "const"
          "continue"; "decimal"; "default"; "delegate"; "do"; "double"; "else"; "enum"; "event"; "explicit"; "extern"
          "false"; "finally"; "fixed"; "float"; "for"; "foreach"; "goto"; "if"; "implicit"; "in"; "int"; "interface"
          "internal"; "is"; "lock"; "long"; "namespace"; "new"; "null"; "object"; "operator"; "out"; "override"
          "params"; "private"; "protected"; "public"; "readonly"; "ref"; "return"; "sbyte"; "sealed"; "short"
          "sizeof"; "stackalloc"; "static"; "string"; "struct"; "switch"; "this"; "throw"; "true"; "try"; "typeof"
          "uint"; "ulong"; "unchecked"; "unsafe"; "ushort"; "using"; "virtual"; "void"; "volatile"; "while"
          // contextual keywords: legal as locals in most places, escaped anyway so no reader has to wonder.
          "add"; "alias"; "and"; "args"; "ascending"; "async"; "await"; "by"; "descending"; "dynamic"; "equals"
          "field"; "file"; "from"; "get"; "global"; "group"; "init"; "into"; "join"; "let"; "managed"; "nameof"
          "nint"; "not"; "notnull"; "nuint"; "on"; "or"; "orderby"; "partial"; "record"; "remove"; "required"
          "scoped"; "select"; "set"; "unmanaged"; "value"; "var"; "when"; "where"; "with"; "yield" ]

/// Names the emitted Run method uses for itself. A let with one of these names gets a trailing "_" (and so does any
/// let already ending in "_"), which keeps the renaming one-to-one.
let private ownNames =
    set [ "ctx"; "data"; "model"; "training"; "observations"; "fineTuning"; "reduction"; "embedding"; "fanIn"; "x"; "Fn"; "Math"; "Trainer"; "RunContext"
          "Activation" ]

/// The C# local of a let. Input names are [A-Za-z][A-Za-z0-9_]* (the grammar guarantees it; checked again here).
let localName (name: string) =
    if String.IsNullOrEmpty name || not (Char.IsAsciiLetter name[0]) || not (name |> Seq.forall (fun c -> Char.IsAsciiLetterOrDigit c || c = '_')) then
        invalidArg (nameof name) $"Not a .cond identifier: {name}"
    let renamed = if ownNames.Contains name || name.EndsWith "_" then name + "_" else name
    if csharpKeywords.Contains renamed then "@" + renamed else renamed

/// A C# string literal for any text: quotes, backslashes, control and line-separator characters are escaped.
let csString (s: string) =
    let sb = StringBuilder("\"")
    for c in s do
        match c with
        | '"' -> sb.Append("\\\"") |> ignore
        | '\\' -> sb.Append("\\\\") |> ignore
        | '\n' -> sb.Append("\\n") |> ignore
        | '\r' -> sb.Append("\\r") |> ignore
        | '\t' -> sb.Append("\\t") |> ignore
        | c when c < ' ' || (c >= '\u007f' && c <= '\u009f') || c = '\u2028' || c = '\u2029' || Char.IsSurrogate c ->
            sb.Append("\\u").Append((int c).ToString("X4", CultureInfo.InvariantCulture)) |> ignore
        | c -> sb.Append(c) |> ignore
    sb.Append('"').ToString()

/// A double literal that round-trips ("R", invariant culture) and is never an int literal (so 1/3 stays a division
/// of doubles). Negative values are parenthesized so they can stand anywhere.
let csDouble (v: float) =
    if Double.IsNaN v then "double.NaN"
    elif Double.IsPositiveInfinity v then "double.PositiveInfinity"
    elif Double.IsNegativeInfinity v then "double.NegativeInfinity"
    else
        let r = v.ToString("R", CultureInfo.InvariantCulture)
        let r = if r.Contains '.' || r.Contains 'E' then r else r + ".0"
        if v < 0.0 || (v = 0.0 && Double.IsNegative v) then "(" + r + ")" else r

let private csLong (v: int64) = v.ToString(CultureInfo.InvariantCulture)

let private functionMethod name =
    match name with
    | "relu" -> "Fn.Relu"
    | "tanh" -> "Fn.Tanh"
    | "sin" -> "Fn.Sin"
    | "cos" -> "Fn.Cos"
    | "exp" -> "Fn.Exp"
    | "log" -> "Fn.Log"
    | "abs" -> "Fn.Abs"
    | "sqrt" -> "Fn.Sqrt"
    | "sigmoid" -> "Fn.Sigmoid"
    | "softplus" -> "Fn.Softplus"
    | other -> invalidOp $"Unchecked function {other}"

/// How an expression's variables become C#: lets are locals, inputs index the span, fan_in is the lambda parameter.
type private Variables =
    { Input: bool
      FanIn: bool }

/// C# for an expression, with only the parentheses C#'s precedence needs. Levels: 1 additive, 2 multiplicative,
/// 3 unary, 4 primary. ^ becomes Fn.Pow (a call, so primary).
let rec private expr (vars: Variables) (e: Expr) : string * int =
    match e with
    | Number(v, _, _) -> csDouble v, (if v < 0.0 then 4 else 4)
    | Variable id ->
        match id.Text with
        | "pi" -> "Math.PI", 4
        | "fan_in" when vars.FanIn -> "(double)fanIn", 4
        | "x" when vars.Input -> "x[0]", 4
        | n when vars.Input && n.Length > 1 && n[0] = 'x' && n.Substring 1 |> Seq.forall Char.IsAsciiDigit ->
            $"x[{int (n.Substring 1) - 1}]", 4
        | n -> localName n, 4
    | Negate(o, _) ->
        let s = wrap vars 3 o
        (if s.StartsWith "-" then "-(" + s + ")" else "-" + s), 3
    | Binary(Pow, l, r, _) -> $"Fn.Pow({fst (expr vars l)}, {fst (expr vars r)})", 4
    | Binary(op, l, r, _) ->
        let level, symbol =
            match op with
            | Add -> 1, "+"
            | Sub -> 1, "-"
            | Mul -> 2, "*"
            | Div -> 2, "/"
            | Pow -> 4, "^"
        $"{wrap vars level l} {symbol} {wrap vars (level + 1) r}", level
    | Call(name, [ arg ], _) -> $"{functionMethod name.Text}({fst (expr vars arg.Value)})", 4
    | Call(name, _, _) -> invalidOp $"Unchecked call {name.Text}"
    | Tuple _ -> invalidOp "Unchecked tuple"
    | StringLit(text, _) -> csString text, 4

and private wrap (vars: Variables) (minLevel: int) (e: Expr) : string =
    let s, level = expr vars e
    if level < minLevel then "(" + s + ")" else s

let private plain = { Input = false; FanIn = false }
let private code (e: Expr) = fst (expr plain e)

/// "fig1_relu_1d" → "Fig1Relu1dExperiment"
let className (experimentName: string) =
    let parts = experimentName.Split('_', StringSplitOptions.RemoveEmptyEntries)
    let pascal = parts |> Array.map (fun p -> string (Char.ToUpperInvariant p[0]) + p.Substring 1) |> String.concat ""
    (if pascal.Length = 0 || not (Char.IsAsciiLetter pascal[0]) then "X" + pascal else pascal) + "Experiment"

let sha256Hex (text: string) =
    Convert.ToHexString(Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes text)).ToLowerInvariant()

let private count (e: Expr) (what: string) = $"Fn.ToCount({code e}, {csString what})"

/// The C# local holding a data set: `data` for the training data, the data set's own name (escaped) for the others.
let private dataLocal (trainingName: string) (name: string) = if name = trainingName then "data" else localName name

let private measure (dataOf: string -> string) (m: CheckedMeasure) =
    let threshold (t: Expr option) = match t with Some e -> $", AlignedThreshold: {code e}" | None -> ""
    match m with
    | MLoss None -> "new LossMeasure()"
    | MLoss(Some d) -> $"new LossMeasure({dataOf d})"
    | MAccuracy None -> "new AccuracyMeasure()"
    | MAccuracy(Some d) -> $"new AccuracyMeasure({dataOf d})"
    | MFeatures(l, a) -> $"new FeaturesMeasure({csString l}, AmplitudeKind.{a})"
    | MCosine(l, t) -> $"new CosineMeasure({csString l}{threshold t})"
    | MCosineOutputs(l, d, c, t) ->
        $"""new CosineOutputsMeasure({csString l}, {dataOf d}, {count c (sprintf "points of cosine %s outputs" l)}{threshold t})"""
    | MClusters(l, t, s, n, mass, lineSize) ->
        $"""new ClustersMeasure({csString l}, Threshold: {code t}, Signed: {(if s then "true" else "false")}, NegligibleFraction: {code n}, MassFraction: {code mass}, LineSize: {count lineSize "line size"})"""
    | MRelDis l -> $"new RelDisMeasure({csString l})"

/// The whole C# file. `sourceFile` is recorded by file name only.
let emit (sourceFile: string) (sourceText: string) (exp: CheckedExperiment) : string =
    let sb = StringBuilder()
    let line (s: string) = sb.Append(s).Append('\n') |> ignore
    let fileName = match IO.Path.GetFileName sourceFile with null -> "" | f -> f
    let hash = sha256Hex sourceText
    let cls = className exp.Name

    line "// <auto-generated>"
    line $"//   Emitted by CondensationDsl from {csString fileName}, SHA-256 {hash}."
    line "//   Change the .cond file and emit again rather than editing this file."
    line "// </auto-generated>"
    line "#nullable enable"
    line ""
    line "using System;"
    line "using CondensationDsl.Runtime.Devices;"
    line "using CondensationDsl.Runtime.Program;"
    line ""
    line "namespace CondensationDsl.Generated;"
    line ""
    line $"/// <summary>Experiment {exp.Name} (see {cls}.Info.Title).</summary>"
    line $"public sealed class {cls} : IExperimentProgram"
    line "{"
    // ---- Info: everything the host needs without running.
    line "    public ExperimentInfo Info { get; } = new("
    line $"        Name: {csString exp.Name},"
    line $"        Title: {csString exp.Title},"
    line $"        SourceFile: {csString fileName},"
    line $"        SourceSha256: {csString hash},"
    line "        Parameters: new ParameterDeclaration[]"
    line "        {"
    let activationWords = String.Join(", ", Checker.activationWords |> List.map csString)
    for l in exp.Lets do
        match l.Word with
        | Some _ ->
            line $"            new({csString l.Name}, ParameterType.Choice, {csDouble l.Default}, {csString l.Text}, Choices: new[] {{ {activationWords} }}),"
        | None ->
            let kind = if l.IsInteger then "Integer" else "Real"
            let dv = if l.IsComputed then "null" else csDouble l.Default
            line $"            new({csString l.Name}, ParameterType.{kind}, {dv}, {csString l.Text}),"
    if not exp.SeedDeclared then
        line "            new(\"seed\", ParameterType.Integer, RunContext.DefaultSeed, \"1\"),"
    line "        },"
    if exp.Sweep.IsEmpty then line "        Sweep: Array.Empty<SweepAxis>(),"
    else
        line "        Sweep: new SweepAxis[]"
        line "        {"
        for a in exp.Sweep do
            match a.Names with
            | [ name ] ->
                let values = a.Points |> List.map (List.head >> csDouble)
                line $"""            new({csString name}, new double[] {{ {String.Join(", ", values)} }}),"""
            | names ->
                let points = a.Points |> List.map (fun p -> "new double[] { " + String.Join(", ", p |> List.map csDouble) + " }")
                line $"""            new(new[] {{ {String.Join(", ", names |> List.map csString)} }}, new double[][] {{ {String.Join(", ", points)} }}),"""
        line "        },"
    // `summary phase_diagram(…)` is an init property of the Info record, after its constructor's arguments.
    let summaries =
        [ match exp.PhaseDiagram with
          | Some pd ->
              $"        PhaseDiagram = new PhaseDiagramSpec({csString pd.Gamma}, {csString pd.GammaPrime}, {csString pd.Width}, {csString pd.Layer}),"
          | None -> ()
          match exp.LossSpectrum with
          | Some ls -> $"        LossSpectrum = new LossSpectrumSpec({csString ls.By}, {ls.Bins}, {csDouble ls.From}, {csDouble ls.To}),"
          | None -> () ]
    let infoEnd = if summaries.IsEmpty then ");" else ")\n    {\n" + String.Join("\n", summaries) + "\n    };"
    if exp.Expectations.IsEmpty then line $"        Expectations: Array.Empty<Expectation>(){infoEnd}"
    else
        line "        Expectations: new Expectation[]"
        line "        {"
        for e in exp.Expectations do
            let at = match e.AtStep with Some s -> csLong s | None -> "null"
            let condition =
                match e.Conditions with
                | [] -> ""
                | tests ->
                    let each (name, values: float list) =
                        $"""new ExpectationCondition({csString name}, new double[] {{ {String.Join(", ", values |> List.map csDouble)} }})"""
                    $""", When: new ExpectationCondition[] {{ {String.Join(", ", tests |> List.map each)} }}"""
            line $"            new({csString e.Metric}, {at}, ComparisonOperator.{e.Operator}, {csDouble e.Value}, {csString e.SourceText}, {e.Line}{condition}),"
        line $"        }}{infoEnd}"
    line ""
    // ---- Run: straight-line code, one cell.
    line "    public void Run(RunContext ctx)"
    line "    {"
    line "        // Parameters, in source order: each takes its --set or sweep value when given, else its default."
    for l in exp.Lets do
        match l.Word with
        | Some word ->
            let memberName = Checker.activations |> List.find (fun (w, _) -> w = word) |> snd
            line $"        Activation {localName l.Name} = ctx.ChoiceOr({csString l.Name}, Activation.{memberName});"
        | None -> line $"        double {localName l.Name} = ctx.ParameterOr({csString l.Name}, {code l.Value});"
    if not exp.SeedDeclared then
        line "        ctx.ParameterOr(\"seed\", RunContext.DefaultSeed);"
    line ""
    let dataOf = dataLocal exp.Data.Name
    for d in exp.Data :: exp.OtherData do
        let variable = dataOf d.Name
        match d with
        | Function f ->
            let dataWhat = $"points of data {f.Name}"
            match f.Kind with
            | GridData ->
                line $"        var {variable} = new GridDataSpec({csString f.Name}, {code f.From}, {code f.To}, {count f.Points dataWhat}, Target_{f.Name});"
            | UniformData ->
                line $"        var {variable} = new UniformDataSpec({csString f.Name}, {code f.From}, {code f.To}, {count f.Points dataWhat}, {f.Dim}, Target_{f.Name});"
        | Images i ->
            let take = match i.Take with Some t -> count t $"images of data {i.Name}" | None -> "0"
            let shape = $"new ImageShape({i.Channels}, {i.Height}, {i.Width})"
            // The paths as the checker resolved them (a named set's directory, a relative path made absolute).
            let start = $"        var {variable} = new IdxDataSpec({csString i.Name}, {csString i.ImagesPath}, {csString i.LabelsPath}, {take}, {shape})"
            let props =
                [ match i.Mean with Number(0.0, _, _) -> () | m -> $"Mean = {code m},"
                  match i.Std with Number(1.0, _, _) -> () | sd -> $"Std = {code sd},"
                  if i.Shuffle then "Shuffle = true," ]
            if props.IsEmpty then line (start + ";")
            else
                line start
                line "        {"
                for p in props do line $"            {p}"
                line "        };"
    line ""
    let initLambda (std: Expr) = $"fanIn => {fst (expr { Input = false; FanIn = true } std)}"
    line "        var model = new ModelSpec("
    line $"            {csString exp.ModelName},"
    match exp.InputShape with
    | Some(c, h, w) ->
        let m = exp.ModelName
        line $"""            {count c (sprintf "input channels of model %s" m)} * {count h (sprintf "input height of model %s" m)} * {count w (sprintf "input width of model %s" m)},"""
    | None -> line $"""            {count exp.Input (sprintf "input size of model %s" exp.ModelName)},"""
    /// The layers one by one, in an array.
    let layerArray () =
        line "            new LayerSpec[]"
        line "            {"
        for l in exp.Layers do
            let init = match l.InitStd with Some s -> initLambda s | None -> "null"
            let bias = if l.Bias then "true" else "false"
            let activation =
                match l.Activation with
                | FixedActivation memberName -> $"Activation.{memberName}"
                | ActivationFromLet name -> localName name
            let width = count l.Width (sprintf "%s of layer %s" (match l.Kind with ConvLayer _ -> "filters" | _ -> "width") l.Name)
            let geometry (items: string list) = "{ " + String.Join(", ", items) + " }"
            match l.Kind with
            | DenseLayer -> line $"""                new({csString l.Name}, LayerKind.Dense, {width}, {activation}, Bias: {bias}, InitStd: {init}),"""
            | DropoutLayer keep ->
                line $"""                new({csString l.Name}, LayerKind.Dropout, {width}, Activation.Linear, Bias: false, InitStd: null, Keep: {code keep}),"""
            | ConvLayer(kernel, stride, padding) ->
                let g =
                    geometry [ $"""Kernel = {count kernel (sprintf "kernel of layer %s" l.Name)}"""
                               $"""Stride = {count stride (sprintf "stride of layer %s" l.Name)}"""
                               $"""Padding = Fn.ToWhole({code padding}, {csString (sprintf "padding of layer %s" l.Name)})""" ]
                line $"""                new({csString l.Name}, LayerKind.Conv, {width}, {activation}, Bias: {bias}, InitStd: {init}) {g},"""
            | PoolLayer(isMax, size, stride) ->
                let kind = if isMax then "MaxPool" else "AvgPool"
                let g =
                    match size with
                    // Kernel 0: the whole image (global pooling).
                    | None -> geometry [ "Kernel = 0" ]
                    | Some k ->
                        let stride = defaultArg stride k
                        geometry [ $"""Kernel = {count k (sprintf "size of layer %s" l.Name)}"""
                                   $"""Stride = {count stride (sprintf "stride of layer %s" l.Name)}""" ]
                line $"""                new({csString l.Name}, LayerKind.{kind}, 0, Activation.Linear, Bias: false, InitStd: null) {g},"""
            | BatchNormLayer momentum ->
                let g = match momentum with Some m -> $" {{ Momentum = {code m} }}" | None -> ""
                line $"""                new({csString l.Name}, LayerKind.BatchNorm, {width}, {activation}, Bias: true, InitStd: null){g},"""
            | ResNet18Layer _ -> failwith "resnet18 is the whole network: the checker refuses other layers beside it."
        line "            },"
    match exp.Layers with
    | [ { Kind = ResNet18Layer width } as l ] ->
        // The whole network from the runtime's builder (its 60-odd layers under PyTorch's names), not layer by layer.
        line $"""            CondensationDsl.Runtime.Model.ResNet.Layers18(width: {code width}, classes: {count l.Width "classes of resnet18"}),"""
    | _ -> layerArray ()
    let antisymmetric = if exp.Antisymmetric then ",\n            Antisymmetric: true" else ""
    // `scale e` and `input (c, h, w)` are init properties of the ModelSpec record.
    let modelProps =
        [ match exp.OutputScale with
          | Some e -> $"OutputScale = {code e},"
          | None -> ()
          match exp.InputShape with
          | Some(c, h, w) ->
              let m = exp.ModelName
              $"""InputShape = new ImageShape({count c (sprintf "input channels of model %s" m)}, {count h (sprintf "input height of model %s" m)}, {count w (sprintf "input width of model %s" m)}),"""
          | None -> () ]
    let modelEnd =
        if modelProps.IsEmpty then ");"
        else ")\n        {\n" + String.Join("\n", modelProps |> List.map (fun p -> "            " + p)) + "\n        };"
    match exp.ModelInitStd with
    | Some std -> line $"            {initLambda std}{antisymmetric}{modelEnd}"
    | None -> line $"            static _ => double.NaN{antisymmetric}{modelEnd} // unused: every layer declares its own init"
    line ""
    let trainingSpec (variable: string) (t: CheckedTraining) =
        let optimizer =
            match t.Optimizer with
            | Gd lr -> $"new GdSpec({code lr})"
            | Sgd(lr, b) -> $"""new SgdSpec({code lr}, {count b "batch"})"""
            | Adam(lr, b1, b2, eps) -> $"new AdamSpec({code lr}, Beta1: {code b1}, Beta2: {code b2}, Epsilon: {code eps})"
        let o = t.Options
        let optimizerProps =
            [ match o.Batch with Some b -> $"""Batch = {count b "batch"}""" | None -> ()
              match o.Momentum with Some m -> $"Momentum = {code m}" | None -> ()
              if o.Nesterov then "Nesterov = true"
              match o.WeightDecay with Some w -> $"WeightDecay = {code w}" | None -> ()
              if o.Decoupled then "Decoupled = true"
              match o.Schedule with
              | Some(StepLr(every, factor)) -> $"""Schedule = new StepSchedule({count every "every of the step schedule"}, {code factor})"""
              | Some(CosineLr minimum) -> $"Schedule = new CosineSchedule({code minimum})"
              | None -> () ]
        let optimizer = if optimizerProps.IsEmpty then optimizer else optimizer + " { " + String.Join(", ", optimizerProps) + " }"
        let stop = match t.StopBelow with Some s -> code s | None -> "null"
        line $"        var {variable} = new TrainingSpec("
        line $"            LossKind.{t.Loss},"
        line $"            {optimizer},"
        line $"            DurationUnit.{t.Unit},"
        line $"            {count t.Length (t.Unit.ToLowerInvariant())},"
        let ending = match t.StopAtAccuracy with Some a -> $")\n        {{\n            StopAtAccuracy = {code a},\n        }};" | None -> ");"
        match t.Retries with
        | Some n ->
            line $"            StopBelowLoss: {stop},"
            line $"""            DivergenceRetries: {count n "divergence retries"}{ending}"""
        | None -> line $"            StopBelowLoss: {stop}{ending}"
        line ""
    trainingSpec "training" exp.Training
    line "        var observations = new ObservationSpec[]"
    line "        {"
    for o in exp.Observations do
        let schedule =
            match o.Schedule with
            | SEvery i -> $"""new EveryScheduleSpec({count i "observation interval"})"""
            | SAt ps -> $"""new AtScheduleSpec(new long[] {{ {String.Join(", ", ps |> List.map csLong)} }})"""
            | SWhen(metric, op, v) -> $"new WhenScheduleSpec({csString metric}, ComparisonOperator.{op}, {code v})"
        line $"            new({schedule}, new MeasureSpec[]"
        line "            {"
        for m in o.Measures do line $"                {measure dataOf m},"
        line "            }),"
    line "        };"
    line ""
    match exp.Reduction, exp.Embedding with
    | None, Some e ->
        line "        // The neuron is 1-based in the experiment, 0-based here."
        line $"""        var embedding = new EmbeddingSpec({csString e.Layer}, {count e.Neuron "neuron of embed"} - 1, {code e.Split}, {code e.Tolerance});"""
        line ""
        line "        Trainer.Run(ctx, model, data, training, observations, embedding);"
    | None, None -> line "        Trainer.Run(ctx, model, data, training, observations);"
    | Some r, _ ->
        let fineTune =
            match r.FineTune with
            | Some t ->
                trainingSpec "fineTuning" t
                "fineTuning"
            | None -> "null"
        line "        var reduction = new ReductionSpec("
        line $"            {csString r.Layer},"
        line $"            Threshold: {code r.Threshold},"
        line $"            NegligibleFraction: {code r.Negligible},"
        line $"            FineTune: {fineTune},"
        line $"            AgreementTolerance: {code r.Agreement});"
        line ""
        line "        Trainer.Run(ctx, model, data, training, observations, reduction);"
    line "    }"
    for d in exp.Data :: exp.OtherData do
        match d with
        | Function f ->
            line ""
            line $"    /// <summary>The target of data {f.Name}.</summary>"
            line $"    private static double Target_{f.Name}(ReadOnlySpan<double> x) => {fst (expr { Input = true; FanIn = false } f.Target)};"
        | Images _ -> ()
    line "}"
    sb.ToString()
