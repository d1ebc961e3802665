/// Syntax tree → checked experiment. Checks everything that can be known before running: names (with "Did you
/// mean"), duplicates, shapes through the model, value ranges (on constants folded with every let at its default),
/// observed layers, sweep axes and expectations. Reports every problem it finds, not just the first.
module CondensationDsl.Language.Checker

open System
open System.Text.RegularExpressions
open CondensationDsl.Language.Syntax
open CondensationDsl.Language.Checked

/// Functions an expression may call; each takes one value. Order is the order suggestions are tried in.
let functionNames = [ "relu"; "tanh"; "sin"; "cos"; "exp"; "log"; "abs"; "sqrt"; "sigmoid"; "softplus" ]

let private applyFunction (name: string) (v: float) =
    match name with
    | "relu" -> if v > 0.0 then v else 0.0
    | "tanh" -> Math.Tanh v
    | "sin" -> Math.Sin v
    | "cos" -> Math.Cos v
    | "exp" -> Math.Exp v
    | "log" -> Math.Log v
    | "abs" -> Math.Abs v
    | "sqrt" -> Math.Sqrt v
    | "sigmoid" -> 1.0 / (1.0 + Math.Exp(-v))
    | "softplus" -> if v > 30.0 then v else Math.Log(1.0 + Math.Exp v)
    | _ -> nan

/// .cond activation names → Runtime Activation enum members.
let activations =
    [ "linear", "Linear"; "relu", "Relu"; "tanh", "Tanh"; "sigmoid", "Sigmoid"; "softplus", "Softplus"
      "xtanh", "XTanh"; "x2tanh", "X2Tanh" ]

/// The activation words, in the order of the Runtime Activation enum (a word-valued let's value is its index here).
let activationWords = List.map fst activations

let private inputVariable = Regex(@"^x([1-9][0-9]*)?$", RegexOptions.CultureInvariant)

let private quote (s: string) = "\"" + s + "\""

let private joinQuoted (items: string seq) = String.Join(", ", items |> Seq.map quote)

let private didYouMean (name: string) (candidates: string seq) =
    match Suggest.Closest(name, candidates) with
    | null -> ""
    | s -> $" Did you mean \"{s}\"?"

/// Numbers in messages: shortest round-trip form, invariant culture.
let private num (v: float) = v.ToString("R", Globalization.CultureInfo.InvariantCulture)

let rec private variablesOf (e: Expr) : string list =
    match e with
    | Number _ -> []
    | Variable id -> [ id.Text ]
    | Negate(o, _) -> variablesOf o
    | Binary(_, l, r, _) -> variablesOf l @ variablesOf r
    | Call(_, args, _) -> args |> List.collect (fun a -> variablesOf a.Value)
    | Tuple(items, _) -> items |> List.collect variablesOf
    | StringLit _ -> []

/// A let given another value than its default, by --set (Origin None) or by one sweep cell (Origin: the sweep
/// value that set it, where a diagnostic about the consequence points).
type Override = { Name: string; Value: float; Origin: Span option }

/// Where an expression sits decides which variables it may use.
type private Scope =
    { /// Lets visible here with their folded defaults (None = that let failed to check).
      Lets: Map<string, float option>
      /// Lets may be used (everywhere except targets, which compile to static methods).
      AllowLets: bool
      /// Some d inside a target over d inputs.
      InputDim: int option
      /// Some fan-in inside an init std.
      FanIn: float option
      /// Names declared later in the file, for "used before its definition".
      Later: Set<string>
      /// What this expression is, for messages ("the target of data train").
      What: string }

type private Context(path: string, text: string, overrides: Map<string, Override>) =
    let diagnostics = ResizeArray<Diagnostic>()
    /// let name → the names its value reads, so a value can be traced back to the overrides it depends on.
    let letDependencies = Collections.Generic.Dictionary<string, string list>()
    let wordLets = Collections.Generic.HashSet<string>()
    member _.Overrides = overrides
    /// Lets whose value is a word (an activation), which no number may use.
    member _.AddWordLet(name: string) = wordLets.Add name |> ignore
    member _.IsWordLet(name: string) = wordLets.Contains name
    member _.SetLetDependencies (name: string) (names: string list) = letDependencies[name] <- names
    /// The overrides an expression's value depends on, directly or through the lets it reads (an overridden let
    /// stops the trace: its own expression no longer matters).
    member _.Blame(e: Expr) : Override list =
        let rec visit (seen: Set<string>) (todo: string list) =
            match todo with
            | [] -> seen
            | n :: rest when seen.Contains n -> visit seen rest
            | n :: rest ->
                let next =
                    match letDependencies.TryGetValue n with
                    | true, names when not (overrides.ContainsKey n) -> names
                    | _ -> []
                visit (seen.Add n) (next @ rest)
        visit Set.empty (variablesOf e) |> Seq.choose overrides.TryFind |> List.ofSeq
    /// " with m = 0, lr = -1" naming the overrides behind `e`; "" when it has its default value.
    member this.With(e: Expr) : string =
        match this.Blame e with
        | [] -> ""
        | blamed -> " with " + String.Join(", ", blamed |> List.map (fun o -> $"{o.Name} = {num o.Value}"))
    /// "got 0", or "but with m = 0 it is 0" when overrides made the value what it is.
    member this.Got(e: Expr, v: float) : string =
        match this.With e with
        | "" -> $"got {num v}"
        | given -> $"but{given} it is {num v}"
    /// Reports a problem with the value of `e`: at the sweep value that caused it when there is one, else at `span`.
    member this.ReportValue (code: string) (span: Span) (e: Expr) (message: string) =
        let at = this.Blame e |> List.tryPick (fun o -> o.Origin) |> Option.defaultValue span
        this.Report code at message
    member _.Report (code: string) (span: Span) (message: string) =
        diagnostics.Add(Diagnostic(code, path, span.Line, span.Column, span.Length, message))
    member _.Diagnostics = diagnostics
    member _.HasErrors = diagnostics |> Seq.exists (fun d -> d.IsError)
    member _.Slice(span: Span) =
        let s = max 0 (min span.Start text.Length)
        let e = max s (min span.End text.Length)
        text.Substring(s, e - s).Trim()

/// Folds an expression to a number, reporting unknown names and misplaced values. None when it cannot be folded
/// (an error was reported, or it depends on the input x which has no value here).
let rec private evaluate (ctx: Context) (scope: Scope) (e: Expr) : float option =
    match e with
    | Number(v, _, _) -> Some v
    | StringLit(_, span) ->
        ctx.Report DiagnosticCodes.WrongValueKind span $"A string (a file path) cannot stand for {scope.What}: a number is expected here."
        None
    | Variable id ->
        let name = id.Text
        if name = "pi" then Some Math.PI
        elif inputVariable.IsMatch name then
            match scope.InputDim with
            | Some d ->
                if name = "x" && d > 1 then
                    ctx.Report DiagnosticCodes.VariableNotAllowed id.Span
                        $"The data has {d} inputs: write x1 … x{d} instead of x."
                elif name <> "x" && int (name.Substring 1) > d then
                    ctx.Report DiagnosticCodes.VariableNotAllowed id.Span
                        $""""{name}" is out of range: the data has {d} input{(if d = 1 then "" else "s")}, so use {(if d = 1 then "x" else $"x1 … x{d}")}."""
                None
            | None ->
                ctx.Report DiagnosticCodes.VariableNotAllowed id.Span
                    $"\"{name}\" (an input of the data) can only be used in a target expression, not in {scope.What}."
                None
        elif name = "fan_in" then
            match scope.FanIn with
            | Some f -> Some f
            | None ->
                ctx.Report DiagnosticCodes.VariableNotAllowed id.Span
                    $"\"fan_in\" can only be used in an init std (e.g. init normal(std: 1/sqrt(fan_in))), not in {scope.What}."
                None
        else
            match scope.Lets.TryFind name with
            | None when ctx.IsWordLet name ->
                ctx.Report DiagnosticCodes.WrongValueKind id.Span
                    $"\"{name}\" is an activation, not a number: it can only be a layer's activation, e.g. dense hidden(m, {name})."
                None
            | Some v when scope.AllowLets -> v
            | Some _ ->
                ctx.Report DiagnosticCodes.VariableNotAllowed id.Span
                    $"\"{name}\" is a let; {scope.What} can use only the inputs (x or x1..xd), pi and numbers. Write the value in place, or use a constant."
                None
            | None when scope.Later.Contains name ->
                ctx.Report DiagnosticCodes.UsedBeforeDefinition id.Span
                    $"\"{name}\" is used before its definition. Move \"let {name} = …\" above this line."
                None
            | None ->
                let candidates =
                    [ if scope.AllowLets then yield! scope.Lets |> Map.keys
                      yield "pi"
                      match scope.InputDim with
                      | Some 1 -> yield "x"
                      | Some d -> for i in 1..d -> $"x{i}"
                      | None -> ()
                      if scope.FanIn.IsSome then yield "fan_in" ]
                ctx.Report DiagnosticCodes.UnknownName id.Span
                    $"Unknown name \"{name}\".{didYouMean name candidates} Declare it with \"let {name} = …\" or use one of: {joinQuoted candidates}."
                None
    | Negate(operand, _) -> evaluate ctx scope operand |> Option.map (fun v -> -v)
    | Binary(op, l, r, _) ->
        let a = evaluate ctx scope l
        let b = evaluate ctx scope r
        match a, b with
        | Some a, Some b ->
            Some(
                match op with
                | Add -> a + b
                | Sub -> a - b
                | Mul -> a * b
                | Div -> a / b
                | Pow -> Math.Pow(a, b)
            )
        | _ -> None
    | Call(name, args, span) ->
        if not (List.contains name.Text functionNames) then
            ctx.Report DiagnosticCodes.UnknownFunction name.Span
                $"""Unknown function "{name.Text}".{didYouMean name.Text functionNames} Known functions: {String.Join(", ", functionNames)}."""
            for a in args do evaluate ctx scope a.Value |> ignore
            None
        else
            match args with
            | [ { Name = None; Value = v } ] -> evaluate ctx scope v |> Option.map (applyFunction name.Text)
            | [ { Name = Some n } ] ->
                ctx.Report DiagnosticCodes.WrongValueKind n.Span
                    $"Function \"{name.Text}\" takes one value, not a named argument: write {name.Text}(value)."
                None
            | _ ->
                ctx.Report DiagnosticCodes.WrongArity span
                    $"Function \"{name.Text}\" takes exactly one value, got {args.Length}: write {name.Text}(value)."
                None
    | Tuple(_, span) ->
        ctx.Report DiagnosticCodes.WrongValueKind span
            $"A tuple (a, b) is not a number; {scope.What} needs one value. Tuples are only used for adam's betas: (0.9, 0.999)."
        None

/// Evaluates and also rejects NaN and infinities (1/0, log(-1)) where a constant is folded.
let private evaluateFinite (ctx: Context) (scope: Scope) (e: Expr) : float option =
    match evaluate ctx scope e with
    | Some v when Double.IsNaN v || Double.IsInfinity v ->
        let assuming = match ctx.With e with "" -> " with every let at its default" | given -> given
        ctx.ReportValue DiagnosticCodes.NotFinite e.Span e
            $"{scope.What} evaluates to {num v} ({assuming.TrimStart()}); it must be a finite number."
        None
    | r -> r

/// True when the expression names a let (or any variable other than pi): its value can change with --set.
let rec usesVariables (e: Expr) =
    match e with
    | Number _ -> false
    | Variable id -> id.Text <> "pi"
    | Negate(o, _) -> usesVariables o
    | Binary(_, l, r, _) -> usesVariables l || usesVariables r
    | Call(_, args, _) -> args |> List.exists (fun a -> usesVariables a.Value)
    | Tuple(items, _) -> items |> List.exists usesVariables
    | StringLit _ -> false

let private isWholeLiteral (e: Expr) =
    let digits (t: string) = t |> Seq.forall Char.IsDigit
    match e with
    | Number(_, t, _) -> digits t
    | Negate(Number(_, t, _), _) -> digits t
    | _ -> false

/// Parameters of a call-like construct: name, positional (may be given without a name), required.
type private Param = { PName: string; Positional: bool; Required: bool }

let private param n pos req = { PName = n; Positional = pos; Required = req }

/// Matches arguments to parameters: positional ones in order, then by name. Reports unknown, duplicate, surplus and
/// missing arguments. Returns name → argument for those that matched.
let private bindArguments (ctx: Context) (what: string) (callSpan: Span) (parameters: Param list) (args: Arg list) : Map<string, Arg> =
    let mutable bound = Map.empty
    let positional = parameters |> List.filter (fun p -> p.Positional) |> List.map (fun p -> p.PName)
    let names = parameters |> List.map (fun p -> p.PName)
    let mutable nextPositional = 0
    let mutable hadUnknown = false
    for a in args do
        match a.Name with
        | None ->
            if nextPositional < positional.Length then
                let n = positional[nextPositional]
                nextPositional <- nextPositional + 1
                if bound.ContainsKey n then
                    ctx.Report DiagnosticCodes.DuplicateArgument a.Span $"{what} gets \"{n}\" twice. Give it once."
                else bound <- bound.Add(n, a)
            else
                let usage =
                    if positional.IsEmpty then $"""{what} takes only named arguments ({String.Join(", ", names |> List.map (fun n -> n + ": …"))})."""
                    else $"""{what} takes at most {positional.Length} unnamed value{(if positional.Length = 1 then "" else "s")} ({String.Join(", ", positional)}); name the others ({String.Join(", ", names |> List.map (fun n -> n + ": …"))})."""
                ctx.Report DiagnosticCodes.TooManyArguments a.Span $"Too many values: {usage}"
        | Some n ->
            if not (List.contains n.Text names) then
                hadUnknown <- true
                let known = if names.IsEmpty then "none" else String.Join(", ", names)
                ctx.Report DiagnosticCodes.UnknownArgument n.Span
                    $"{what} has no argument \"{n.Text}\".{didYouMean n.Text names} Its arguments: {known}."
            elif bound.ContainsKey n.Text then
                ctx.Report DiagnosticCodes.DuplicateArgument a.Span $"{what} gets \"{n.Text}\" twice. Give it once."
            else bound <- bound.Add(n.Text, a)
    // After an unknown (probably misspelt) argument, a "missing" report would only repeat it.
    for p in parameters do
        if p.Required && not hadUnknown && not (bound.ContainsKey p.PName) then
            ctx.Report DiagnosticCodes.MissingArgument callSpan
                $"""{what} needs "{p.PName}": add {p.PName}: … to its arguments."""
    bound

/// A word argument (relu, true, full): returns it when it is one of `allowed`, else reports `code`.
let private wordArgument (ctx: Context) (code: string) (what: string) (allowed: string list) (a: Arg) : string option =
    match a.Value with
    | Variable id when List.contains id.Text allowed -> Some id.Text
    | Variable id ->
        ctx.Report code id.Span $"""Unknown {what} "{id.Text}".{didYouMean id.Text allowed} Expected one of: {String.Join(", ", allowed)}."""
        None
    | other ->
        ctx.Report DiagnosticCodes.WrongValueKind other.Span $"""Expected {what} (one of: {String.Join(", ", allowed)}), not an expression."""
        None

let private boolArgument (ctx: Context) (what: string) (a: Arg) : bool option =
    wordArgument ctx DiagnosticCodes.UnknownOption what [ "true"; "false" ] a |> Option.map (fun w -> w = "true")

let private compareName op =
    match op with
    | Lt -> "Less"
    | Le -> "LessOrEqual"
    | Gt -> "Greater"
    | Ge -> "GreaterOrEqual"
    | Eq -> "Equal"
    | Ne -> "NotEqual"

let private reservedNames = Set.ofList ([ "pi"; "fan_in"; "x"; "end"; "true"; "false" ] @ functionNames)

/// Result of checking: the checked experiment when there are no errors, and every diagnostic (errors and warnings).
type CheckResult =
    { Experiment: CheckedExperiment option
      Diagnostics: Diagnostic list }

/// Where no source position fits (a --set seed when the file declares no seed).
let private nowhere = { Start = 0; End = 0; Line = 0; Column = 0 }

/// seed picks the random streams: a whole number ≥ 0 (e is what gave it its value, for the message).
let private checkSeed (ctx: Context) (e: Expr) (seed: float option) =
    match seed with
    | Some s when s < 0.0 || Math.Floor s <> s ->
        ctx.ReportValue DiagnosticCodes.NotWholeCount e.Span e $"seed must be a whole number ≥ 0, {ctx.Got(e, s)}."
    | _ -> ()

/// A let's value: its override when it has one (still evaluating the expression, for its own diagnostics), else
/// its expression folded with the lets above it.
let private letValue (ctx: Context) (scope: Scope) (name: string) (value: Expr) : float option =
    let folded = evaluateFinite ctx scope value
    match ctx.Overrides.TryFind name with
    | Some o -> Some o.Value
    | None -> folded

/// The points of one sweep axis: the values each gives its names, with the place it is written (for diagnostics about it).
type private SweepSource = { Points: ((string * float) list * Span) list }

/// The layers of `resnet18(…)` as the runtime names them (Runtime.Model.ResNet.Layers18 and ResidualBlock), by role.
module private ResNet18Names =
    let stages = [ 1..4 ]
    let blocks = [ for s in stages do for b in 0..1 -> s, b, $"layer{s}.{b}" ]
    /// A block has a projection shortcut where its shape changes: the first block of stages 2–4.
    let private projected (s: int) (b: int) = s > 1 && b = 0
    /// In forward order (a block's shortcut after its main branch), so the last is layer4.1.conv2.
    let convolutions =
        "conv1" :: [ for s, b, n in blocks do
                         yield $"{n}.conv1"
                         yield $"{n}.conv2"
                         if projected s b then yield $"{n}.shortcut.conv" ]
    let norms =
        "bn1" :: [ for s, b, n in blocks do
                       yield $"{n}.bn1"
                       yield $"{n}.bn2"
                       if projected s b then yield $"{n}.shortcut.bn" ]
    let blockNames = blocks |> List.map (fun (_, _, n) -> n)
    let pool = "avgpool"
    let head = "fc"
    /// Every name in forward order.
    let all =
        [ yield "conv1"
          yield "bn1"
          for s, b, n in blocks do
              yield n
              yield! [ $"{n}.conv1"; $"{n}.bn1"; $"{n}.conv2"; $"{n}.bn2" ]
              if projected s b then yield! [ $"{n}.shortcut.conv"; $"{n}.shortcut.bn" ]
          yield pool
          yield head ]

/// The convolutions of a model in forward order, from its syntax: its conv layers and those of a network (resnet18).
let private convolutionsOf (items: ModelItem list) =
    items |> List.collect (function
        | Layer(k, n, _, _) when k.Text = "conv" -> [ n.Text ]
        | Network(k, _, _) when k.Text = "resnet18" -> ResNet18Names.convolutions
        | _ -> [])

/// `first conv` and `last conv` (in measures and expect clauses) replaced by the name of the model's first or last
/// convolution, keeping their span: everything after (metric columns, arrays, observations) sees the resolved name. A
/// model without convolutions leaves them as they are, for checkLayerRef to explain.
let private resolveLayerOrdinals (statements: Statement list) =
    let convs = statements |> List.tryPick (function Model(_, items, _) -> Some(convolutionsOf items) | _ -> None) |> Option.defaultValue []
    let resolve (id: Ident) =
        match id.Text, convs with
        | "first conv", first :: _ -> { id with Text = first }
        | "last conv", _ :: _ -> { id with Text = List.last convs }
        | _ -> id
    statements |> List.map (function
        | Observe(schedule, measures, span) -> Observe(schedule, measures |> List.map (fun m -> { m with Layer = m.Layer |> Option.map resolve }), span)
        | Expect(m, layer, step, op, v, conditions, span) -> Expect(m, layer |> Option.map resolve, step, op, v, conditions, span)
        | other -> other)

/// One pass of the checker with `overrides` in place of those lets' defaults; also returns the sweep's values with
/// their places, for the pass over sweep cells.
let private checkPass (overrides: Map<string, Override>) (path: string) (text: string) (doc: Document) : CheckResult * SweepSource list =
    let statements = resolveLayerOrdinals doc.Statements
    let letNamesInFile = statements |> List.choose (function Let(n, _, _) -> Some n.Text | _ -> None) |> Set.ofList
    // Names that are neither lets nor seed are the CLI's to reject; here they must not change anything.
    let ctx = Context(path, text, overrides |> Map.filter (fun n _ -> n = "seed" || letNamesInFile.Contains n))
    let fileStart = { Start = 0; End = 1; Line = 1; Column = 1 }

    // ---- Top-level names share one namespace: lets, the data set, the model and its layers.
    let declared = Collections.Generic.Dictionary<string, Span>()
    let declare (id: Ident) (kind: string) =
        if reservedNames.Contains id.Text || inputVariable.IsMatch id.Text then
            ctx.Report DiagnosticCodes.ReservedName id.Span
                $"\"{id.Text}\" is a built-in name (inputs x/x1..xd, fan_in, pi, functions, true/false) and cannot name a {kind}. Choose another name."
            false
        else
            match declared.TryGetValue id.Text with
            | true, first ->
                ctx.Report DiagnosticCodes.DuplicateName id.Span
                    $"\"{id.Text}\" is already declared on line {first.Line}. Names of lets, data, models and layers must be unique: rename one."
                false
            | _ ->
                declared[id.Text] <- id.Span
                true

    // ---- experiment header
    let headers = statements |> List.choose (function ExperimentDecl(n, t, s) -> Some(n, t, s) | _ -> None)
    let name, title =
        match headers with
        | [] ->
            ctx.Report DiagnosticCodes.MissingExperiment fileStart
                "The file has no experiment header. Start it with: experiment my_name \"What this experiment shows\""
            "experiment", "experiment"
        | (n, t, _) :: rest ->
            for (_, _, s) in rest do
                ctx.Report DiagnosticCodes.DuplicateBlock s "A file declares one experiment; remove this second \"experiment\" line."
            n.Text, (match t with Some(t, _) -> t | None -> n.Text)

    // ---- lets, in source order; each sees the lets above it.
    let allLetNames = statements |> List.choose (function Let(n, _, _) -> Some n.Text | _ -> None) |> Set.ofList
    let mutable letValues: Map<string, float option> = Map.empty
    let lets = ResizeArray<CheckedLet>()
    let mutable seenLets = Set.empty
    for st in statements do
        match st with
        | Let(n, Variable word, _) when List.contains word.Text activationWords && not (allLetNames.Contains word.Text) ->
            // A word-valued let: the activation a layer reads, settable by --set act=xtanh and sweeps.
            let ok = declare n "let"
            seenLets <- seenLets.Add n.Text
            let index =
                match ctx.Overrides.TryFind n.Text with
                | Some o -> o.Value
                | None -> float (List.findIndex ((=) word.Text) activationWords)
            if ok then
                ctx.AddWordLet n.Text
                ctx.SetLetDependencies n.Text []
                lets.Add
                    { Name = n.Text; Value = Variable word; Default = index; IsInteger = true; IsComputed = false
                      Text = word.Text; Word = Some word.Text }
        | Let(n, value, _) ->
            let ok = declare n "let"
            let scope =
                { Lets = letValues; AllowLets = true; InputDim = None; FanIn = None
                  Later = Set.difference allLetNames (seenLets.Add n.Text); What = $"let {n.Text}" }
            let v = letValue ctx scope n.Text value
            ctx.SetLetDependencies n.Text (variablesOf value)
            seenLets <- seenLets.Add n.Text
            if n.Text = "seed" then
                // An overridden seed is blamed on its name (the let), not on the expression it replaced.
                checkSeed ctx (if ctx.Overrides.ContainsKey "seed" then Variable n else value) v
            if ok then
                letValues <- letValues.Add(n.Text, v)
                lets.Add
                    { Name = n.Text; Value = value; Default = defaultArg v nan
                      IsInteger = isWholeLiteral value; IsComputed = usesVariables value; Text = ctx.Slice value.Span
                      Word = None }
        | _ -> ()
    // seed exists without a let (it then defaults to the run's own seed); an override of it is still checked.
    match ctx.Overrides.TryFind "seed" with
    | Some o when not (letNamesInFile.Contains "seed") ->
        checkSeed ctx (Variable { Text = "seed"; Span = defaultArg o.Origin nowhere }) (Some o.Value)
    | _ -> ()

    let letScope what = { Lets = letValues; AllowLets = true; InputDim = None; FanIn = None; Later = Set.empty; What = what }
    let value what e = evaluateFinite ctx (letScope what) e

    /// A whole number ≥ minimum (widths, points, epochs, intervals …); None if not a known constant.
    let whole (what: string) (minimum: float) (e: Expr) : float option =
        match value what e with
        | Some v when Math.Floor v <> v || v < minimum || v > float Int32.MaxValue ->
            ctx.ReportValue DiagnosticCodes.NotWholeCount e.Span e $"{what} must be a whole number ≥ {num minimum}, {ctx.Got(e, v)}."
            None
        | r -> r

    let inRange (code: string) (what: string) (ok: float -> bool) (range: string) (e: Expr) =
        match value what e with
        | Some v when not (ok v) -> ctx.ReportValue code e.Span e $"{what} must be {range}, {ctx.Got(e, v)}."
        | _ -> ()

    /// A constant that must not depend on lets (it goes into ExperimentInfo, fixed before any --set).
    let constant (what: string) (e: Expr) : float option =
        if usesVariables e then
            ctx.Report DiagnosticCodes.NotConstant e.Span
                $"{what} must be a constant number (it is fixed before --set and sweeps apply), not an expression over lets."
            None
        else value what e

    // ---- data: the first data statement is the training data; the others are for observations.
    /// The number of training points when it is known (it may be a let): bounds the batch and sizes activations.
    let mutable pointsValue: float option = None
    let dataStatements = statements |> List.choose (function Data(n, src, t, s) -> Some(n, src, t, s) | _ -> None)
    /// Data set name → its number of points when known (count checks of `outputs on d n`).
    let dataPoints = Collections.Generic.Dictionary<string, float option * Expr option>()
    /// Data set name → the size of one sample, and its image shape for idx data: what the model's input must take.
    let dataShapes = Collections.Generic.Dictionary<string, int * (int * int * int) option>()
    /// grid(…) / uniform(…): points from a formula and a target.
    let checkFunctionData (n: Ident) (kind: Ident) (args: Arg list) (callSpan: Span) (target: Expr option) =
        let isGrid = kind.Text = "grid"
        let parameters =
            [ param "from" true true; param "to" true true; param "points" true true ]
            @ (if isGrid then [] else [ param "dim" true false ])
        let b = bindArguments ctx $"{kind.Text}(…)" callSpan parameters args
        let get k = b.TryFind k |> Option.map (fun a -> a.Value)
        let lo = get "from" |> Option.bind (value $"from of data {n.Text}")
        let hi = get "to" |> Option.bind (value $"to of data {n.Text}")
        match lo, hi, get "to" with
        | Some lo, Some hi, Some toExpr when not (lo < hi) ->
            let both = Tuple([ (get "from").Value; toExpr ], toExpr.Span)
            ctx.ReportValue DiagnosticCodes.ValueOutOfRange toExpr.Span both
                $"The interval of data {n.Text} is empty{ctx.With both}: from ({num lo}) must be less than to ({num hi})."
        | _ -> ()
        dataPoints[n.Text] <- (get "points" |> Option.bind (whole $"points of data {n.Text}" 1.0), get "points")
        let dim =
            match get "dim" with
            | Some d -> constant $"dim of data {n.Text}" d |> Option.bind (fun _ -> whole $"dim of data {n.Text}" 1.0 d)
            | None -> Some 1.0
        let dimInt = dim |> Option.map int |> Option.defaultValue 1
        dataShapes[n.Text] <- (dimInt, None)
        match target with
        | None ->
            ctx.Report DiagnosticCodes.MissingTarget n.Span
                $"""data {n.Text} has no target. Add a block: data {n.Text} = {kind.Text}(…) {{ target <expression over {(if dimInt = 1 then "x" else "x1..xd")}> }}"""
        | Some t ->
            let scope =
                { Lets = letValues; AllowLets = false; InputDim = Some dimInt; FanIn = None; Later = Set.empty
                  What = $"the target of data {n.Text}" }
            evaluate ctx scope t |> ignore
        match get "from", get "to", get "points", target, dim with
        | Some f, Some t, Some p, Some target, Some d ->
            Some(Function { Name = n.Text; Kind = (if isGrid then GridData else UniformData); From = f; To = t; Points = p
                            Dim = int d; Target = target })
        | _ -> None
    /// idx(fashion_mnist, split: train) or idx("images", "labels"): the files are found and their headers read here.
    let checkImageData (n: Ident) (args: Arg list) (callSpan: Span) (target: Expr option) =
        let b =
            bindArguments ctx "idx(…)" callSpan
                [ param "images" true true; param "labels" true false; param "split" false false; param "take" false false
                  param "shuffle" false false; param "mean" false false; param "std" false false ] args
        target |> Option.iter (fun t ->
            ctx.Report DiagnosticCodes.TooManyArguments t.Span
                $"idx data is labelled: the targets of data {n.Text} are its labels, so remove the target block.")
        let named = IdxFiles.namedSets |> List.map (fun s -> s.Word)
        let files =
            match b.TryFind "images", b.TryFind "labels", b.TryFind "split" with
            | Some { Value = Variable set }, labels, split ->
                labels |> Option.iter (fun a ->
                    ctx.Report DiagnosticCodes.TooManyArguments a.Span
                        $"{set.Text} names both files of a split: remove the labels argument, or give two file paths instead of {set.Text}.")
                match IdxFiles.namedSets |> List.tryFind (fun s -> s.Word = set.Text) with
                | None ->
                    ctx.Report DiagnosticCodes.UnknownDataSource set.Span
                        $"""Unknown data set "{set.Text}".{didYouMean set.Text named} Name one of {String.Join(", ", named)}, or give two files: idx("…images…", "…labels…")."""
                    None
                | Some namedSet ->
                    let splitWord =
                        match split with
                        | Some a -> wordArgument ctx DiagnosticCodes.UnknownOption "split" (List.map fst IdxFiles.splits) a
                        | None -> Some "train"
                    match splitWord, IdxFiles.directoryOf namedSet with
                    | Some sw, Ok dir -> Some(IdxFiles.filesOf dir (IdxFiles.splits |> List.find (fst >> (=) sw) |> snd), set.Span, Some namedSet)
                    | Some _, Error why ->
                        ctx.Report DiagnosticCodes.DataFileNotFound set.Span $"data {n.Text}: {why}"
                        None
                    | None, _ -> None
            | Some { Value = StringLit(images, imagesSpan) }, labels, split ->
                split |> Option.iter (fun a ->
                    ctx.Report DiagnosticCodes.TooManyArguments a.Span
                        "split chooses between the files of a named data set (idx(fashion_mnist, split: test)); with file paths, give the files of the split you want.")
                match labels with
                | Some { Value = StringLit(labelsPath, _) } ->
                    let relative (p: string) =
                        if IO.Path.IsPathRooted p then p
                        else IO.Path.GetFullPath(IO.Path.Combine(IO.Path.GetDirectoryName(IO.Path.GetFullPath path) |> Option.ofObj |> Option.defaultValue ".", p))
                    Some((relative images, relative labelsPath), imagesSpan, None)
                | Some a ->
                    ctx.Report DiagnosticCodes.WrongValueKind a.Value.Span "The labels of idx data are a file path in double quotes."
                    None
                | None ->
                    ctx.Report DiagnosticCodes.MissingArgument callSpan
                        $"idx with an images file needs its labels file too: idx(\"{images}\", \"…labels-idx1-ubyte.gz\")."
                    None
            | Some a, _, _ ->
                ctx.Report DiagnosticCodes.WrongValueKind a.Value.Span
                    $"""The images of idx data are a named set ({String.Join(", ", named)}) or a file path in double quotes."""
                None
            | None, _, _ -> None
        let header (file: string) (span: Span) (namedSet: IdxFiles.NamedSet option) =
            if not (IO.File.Exists file) then
                let how =
                    match namedSet with
                    | Some set -> $" To provide it, {set.Install}, or set {set.Variable} to a directory that has it."
                    | None -> ""
                ctx.Report DiagnosticCodes.DataFileNotFound span $"data {n.Text}: the file {file} does not exist.{how}"
                None
            else
                match IdxFiles.readHeader file with
                | Ok h -> Some h
                | Error why ->
                    ctx.Report DiagnosticCodes.InvalidDataFile span $"data {n.Text}: {file} cannot be used: {why}."
                    None
        let shuffle =
            match b.TryFind "shuffle" with
            | Some a -> boolArgument ctx "shuffle value" a
            | None -> Some false
        let mean = b.TryFind "mean" |> Option.map (fun a -> a.Value) |> Option.defaultValue (Number(0.0, "0", callSpan))
        let std = b.TryFind "std" |> Option.map (fun a -> a.Value) |> Option.defaultValue (Number(1.0, "1", callSpan))
        value $"mean of data {n.Text}" mean |> ignore
        std |> inRange DiagnosticCodes.ValueOutOfRange $"The std of data {n.Text}" (fun v -> v > 0.0) "> 0"
        let take = b.TryFind "take" |> Option.map (fun a -> a.Value)
        match files with
        | Some((imagesPath, labelsPath), span, namedSet) ->
            match header imagesPath span namedSet, header labelsPath span namedSet with
            | Some images, Some labels ->
                let shape =
                    match images.Dimensions with
                    | [ count; h; w ] -> Some(count, 1, h, w)
                    | [ count; c; h; w ] -> Some(count, c, h, w)
                    | dims ->
                        ctx.Report DiagnosticCodes.InvalidDataFile span
                            $"""data {n.Text}: {imagesPath} holds an array of {String.Join(" × ", dims)}; images are n × rows × columns or n × channels × rows × columns."""
                        None
                match shape with
                | Some(0, _, _, _) -> ctx.Report DiagnosticCodes.InvalidDataFile span $"data {n.Text}: {imagesPath} holds no images."
                | _ -> ()
                if not (List.contains labels.ElementType IdxFiles.integerTypes) then
                    ctx.Report DiagnosticCodes.InvalidDataFile span
                        $"data {n.Text}: the labels in {labelsPath} are floating-point numbers (type 0x{labels.ElementType:x2}); class labels are whole numbers (0x08 for MNIST)."
                match labels.Dimensions with
                | [ count ] when shape |> Option.exists (fun (c, _, _, _) -> c <> count) ->
                    ctx.Report DiagnosticCodes.InvalidDataFile span
                        $"data {n.Text}: {labelsPath} has {count} labels for the {(let (c, _, _, _) = shape.Value in c)} images of {imagesPath}; the two files must hold the same count."
                | [ _ ] -> ()
                | dims ->
                    ctx.Report DiagnosticCodes.InvalidDataFile span
                        $"""data {n.Text}: {labelsPath} holds an array of {String.Join(" × ", dims)}; labels are one number per image."""
                match shape with
                | Some(count, c, h, w) ->
                    let takeValue = take |> Option.bind (whole $"take of data {n.Text}" 1.0)
                    match take, takeValue with
                    | Some t, Some tv when tv > float count ->
                        ctx.ReportValue DiagnosticCodes.ValueOutOfRange t.Span t
                            $"data {n.Text} takes {num tv} images{ctx.With t}, but {imagesPath} holds {count}. Use take ≤ {count}."
                    | _ -> ()
                    dataPoints[n.Text] <- (Some(defaultArg takeValue (float count)), take)
                    dataShapes[n.Text] <- (c * h * w, Some(c, h, w))
                    match shuffle with
                    | Some sh ->
                        Some(Images { Name = n.Text; ImagesPath = imagesPath; LabelsPath = labelsPath; Take = take; Shuffle = sh
                                      Mean = mean; Std = std; Channels = c; Height = h; Width = w; Count = count })
                    | None -> None
                | None -> None
            | _ -> None
        | None -> None
    let checkDataStatement (n: Ident, source: Expr, target: Expr option, _: Span) =
        declare n "data set" |> ignore
        match source with
        | Call(kind, args, callSpan) when kind.Text = "grid" || kind.Text = "uniform" -> checkFunctionData n kind args callSpan target
        | Call(kind, args, callSpan) when kind.Text = "idx" -> checkImageData n args callSpan target
        | Call(kind, _, _) ->
            ctx.Report DiagnosticCodes.UnknownDataSource kind.Span
                $"""Unknown data source "{kind.Text}".{didYouMean kind.Text [ "grid"; "uniform"; "idx" ]} Expected grid(from, to, points: n), uniform(from, to, points: n, dim: d) or idx(fashion_mnist, split: train)."""
            None
        | other ->
            ctx.Report DiagnosticCodes.SyntaxError other.Span "Expected a data source such as grid(-1, 1, points: 40)."
            None
    let data, otherData =
        match dataStatements with
        | [] ->
            ctx.Report DiagnosticCodes.MissingBlock fileStart
                "The experiment has no data. Add e.g.: data train = grid(-1, 1, points: 40) { target relu(x) }"
            None, []
        | first :: rest ->
            let training = checkDataStatement first
            let (n, _, _, _) = first
            pointsValue <- (match dataPoints.TryGetValue n.Text with | true, (p, _) -> p | _ -> None)
            training, rest |> List.map checkDataStatement
    /// What the model's input must match: the training data's dimension, and its image shape for idx data.
    let dataDim =
        data |> Option.map (function Function f -> f.Dim | Images i -> i.Channels * i.Height * i.Width)
    let dataShape = data |> Option.bind (function Images i -> Some(i.Channels, i.Height, i.Width) | Function _ -> None)
    /// The expression giving the training data's number of points (for messages).
    let pointsExpr = data |> Option.bind (fun d -> match dataPoints.TryGetValue d.Name with | true, (_, e) -> e | _ -> None)
    let points = pointsValue

    /// A batch normalization over one value per channel (after a dense layer, or of a 1×1 image): a mini-batch of one sample
    /// cannot be normalized there, which the train block's batch must not leave at the end of an epoch.
    let singleValueNorm: string option ref = ref None
    /// The train blocks in order (the first trains the model; the model's output width depends on its loss).
    let trainBlocks = statements |> List.choose (function Train(items, s) -> Some(items, s) | _ -> None)

    // ---- model
    let models = statements |> List.choose (function Model(n, items, s) -> Some(n, items, s) | _ -> None)
    for (_, _, s) in List.skip (min 1 models.Length) models do
        ctx.Report DiagnosticCodes.DuplicateBlock s "Language version 1 has one model per experiment; remove this second \"model\" block."
    let layerNames = ResizeArray<string>()
    /// Layers without weights: measures of weights and width reduction cannot name them.
    let dropoutNames = Collections.Generic.HashSet<string>()
    /// Convolution layers: observed by cosine (weights, outputs) and reldis only.
    let convNames = Collections.Generic.HashSet<string>()
    /// Pooling layers: no weights, nothing to observe or reduce.
    let poolNames = Collections.Generic.HashSet<string>()
    /// Batch normalizations: γ and β per channel, no neurons' weights to observe or reduce.
    let normNames = Collections.Generic.HashSet<string>()
    /// Residual blocks (resnet18's layer1.0 …): observed through the convolutions inside.
    let blockNames = Collections.Generic.HashSet<string>()
    /// The network line (resnet18) when the model is one: its many layer names are then summarized in messages.
    let mutable network: string option = None
    /// Layer name → its input width (fan-in), when known.
    let fanIns = Collections.Generic.Dictionary<string, float option>()
    let model =
        match models with
        | [] ->
            ctx.Report DiagnosticCodes.MissingBlock fileStart
                "The experiment has no model. Add e.g.: model net { input 1; dense hidden(100, relu); dense out(1); init normal(std: 0.01) }"
            None
        | (mname, items, mspan) :: _ ->
            declare mname "model" |> ignore
            let inputs = items |> List.choose (function Input(e, s) -> Some(e, s) | _ -> None)
            let inits = items |> List.choose (function Init(e, s) -> Some(e, s) | _ -> None)
            for (_, s) in List.skip (min 1 inputs.Length) inputs do
                ctx.Report DiagnosticCodes.DuplicateBlock s $"model {mname.Text} declares its input twice; keep one \"input\" line."
            for (_, s) in List.skip (min 1 inits.Length) inits do
                ctx.Report DiagnosticCodes.DuplicateBlock s $"model {mname.Text} declares its init twice; keep one \"init\" line (per-layer init goes in the layer: dense h(m, relu, init: normal(std: …)))."
            let scales = items |> List.choose (function Scale(e, s) -> Some(e, s) | _ -> None)
            for (_, s) in List.skip (min 1 scales.Length) scales do
                ctx.Report DiagnosticCodes.DuplicateBlock s $"model {mname.Text} declares its output scale twice; keep one \"scale\" line."
            let outputScale = scales |> List.tryHead |> Option.map fst
            // A zero or negative factor is never meant: 1/α of the phase diagram is positive, and 0 makes every gradient 0.
            outputScale |> Option.iter (inRange DiagnosticCodes.ValueOutOfRange $"The output scale of model {mname.Text}" (fun v -> v > 0.0) "> 0")
            let suggestedInput =
                match dataShape, dataDim with
                | Some(c, h, w), _ -> $"({c}, {h}, {w})"
                | None, Some d -> string d
                | None, None -> "1"
            let input =
                match inputs with
                | [] ->
                    ctx.Report DiagnosticCodes.MissingInput mname.Span
                        $"model {mname.Text} does not say its input size. Add \"input {suggestedInput}\" as its first line."
                    None
                | (e, _) :: _ -> Some e
            /// `input n` (a vector) or `input (c, h, w)` (images, for convolutions): its size and, for images, its shape.
            let inputValue, inputImage =
                match input with
                | Some(Tuple([ c; h; w ], _)) ->
                    let c' = whole $"The channels of model {mname.Text}'s input" 1.0 c
                    let h' = whole $"The height of model {mname.Text}'s input" 1.0 h
                    let w' = whole $"The width of model {mname.Text}'s input" 1.0 w
                    match c', h', w' with
                    | Some cv, Some hv, Some wv -> Some(cv * hv * wv), Some(cv, hv, wv)
                    | _ -> None, None
                | Some(Tuple(_, span)) ->
                    ctx.Report DiagnosticCodes.WrongValueKind span
                        $"The input of model {mname.Text} is a size (input 784) or an image shape of three numbers (input (1, 28, 28): channels, height, width)."
                    None, None
                | Some e -> whole $"input of model {mname.Text}" 1.0 e, None
                | None -> None, None
            match inputValue, data, dataDim with
            | Some i, Some d, Some dim when int i <> dim ->
                let e = fst inputs.Head
                ctx.ReportValue DiagnosticCodes.InputSizeMismatch e.Span e
                    $"""model {mname.Text} takes {num i} input{(if i = 1.0 then "" else "s")}{ctx.With e} but data {d.Name} has dimension {dim}. Write "input {suggestedInput}"."""
            | _ ->
                match inputImage, dataShape with
                | Some(c, h, w), Some(dc, dh, dw) when (int c, int h, int w) <> (dc, dh, dw) ->
                    let e = fst inputs.Head
                    ctx.Report DiagnosticCodes.InputSizeMismatch e.Span
                        $"model {mname.Text} takes images of {num c}×{num h}×{num w} but the images of data {data.Value.Name} are {dc}×{dh}×{dw}. Write \"input {suggestedInput}\"."
                | _ -> ()
            /// The model's `init normal(std: e, antisymmetric: b)`: e, and whether the zero-output pairing is asked for.
            let mutable antisymmetric = false
            let mutable antisymmetricSpan = mspan
            /// normal(std: e) → e; `antisymmetric` only in the model's init (it pairs the last two dense layers).
            let initStd (what: string) (e: Expr) : Expr option =
                match e with
                | Call(n, args, span) when n.Text = "normal" ->
                    let modelLevel = what = $"model {mname.Text}"
                    let parameters = [ param "std" true true ] @ (if modelLevel then [ param "antisymmetric" false false ] else [])
                    let misplaced, args =
                        if modelLevel then [], args
                        else args |> List.partition (fun a -> a.Name |> Option.exists (fun n -> n.Text = "antisymmetric"))
                    for a in misplaced do
                        ctx.Report DiagnosticCodes.UnknownArgument a.Span
                            $"antisymmetric pairs the last hidden layer's neurons with the output layer, so it belongs to the model's init, not to {what}'s: write init normal(std: …, antisymmetric: true) in model {mname.Text}."
                    let b = bindArguments ctx "normal(…)" span parameters args
                    match b.TryFind "antisymmetric" with
                    | Some a ->
                        antisymmetric <- boolArgument ctx "antisymmetric value" a = Some true
                        antisymmetricSpan <- a.Span
                    | None -> ()
                    b.TryFind "std" |> Option.map (fun a -> a.Value)
                | Call(n, _, _) ->
                    ctx.Report DiagnosticCodes.UnknownInitializer n.Span
                        $"""Unknown initializer "{n.Text}" in {what}.{didYouMean n.Text [ "normal" ]} Expected normal(std: …)."""
                    None
                | other ->
                    ctx.Report DiagnosticCodes.WrongValueKind other.Span $"Expected an initializer such as normal(std: 0.01) in {what}."
                    None
            let modelInit = inits |> List.tryHead |> Option.bind (fun (e, _) -> initStd $"model {mname.Text}" e)
            let checkStd (what: string) (fanIn: float option) (std: Expr) =
                let scope =
                    { Lets = letValues; AllowLets = true; InputDim = None; FanIn = Some(defaultArg fanIn 1.0); Later = Set.empty
                      What = $"the init std of {what}" }
                match evaluateFinite ctx scope std with
                | Some v when v < 0.0 ->
                    ctx.ReportValue DiagnosticCodes.ValueOutOfRange std.Span std $"The init std of {what} must be ≥ 0, {ctx.Got(std, v)}."
                | _ -> ()
            /// One layer's weights (width × fan-in) and activations (width × points) are each one array: both must
            /// fit in the largest array .NET allocates, or the run fails while building the model.
            let checkLayerSize (what: string) (width: Expr) (w: float) (fanInExpr: Expr option) (fanIn: float option) =
                let rows = defaultArg points 1.0
                let other = max (defaultArg fanIn 1.0) rows
                if w * other > float Array.MaxLength then
                    let because =
                        Tuple(width :: Option.toList fanInExpr @ Option.toList pointsExpr, width.Span)
                    let per = if other = rows then "data points" else "inputs"
                    ctx.ReportValue DiagnosticCodes.ValueOutOfRange width.Span because
                        $"{what} is too large{ctx.With because}: {num w} neurons × {num other} {per} = {num (w * other)} numbers in one array, more than the {Array.MaxLength} an array can hold. Use a smaller width."
            let layers = ResizeArray<CheckedLayer>()
            let mutable previous = inputValue
            /// What gave `previous` its value (the input size or the previous layer's width).
            let mutable previousExpr = input
            let mutable lastWidth = None
            let mutable modelInitChecked = false
            let mutable failed = false
            /// The shape flowing out of the last layer when it is an image (channels, height, width); None: a vector.
            let mutable image = inputImage
            /// A layer's `activation` argument: a word, or a let holding one (--set and sweeps change it); linear without it.
            let activationArgument (b: Map<string, Arg>) =
                match b.TryFind "activation" with
                | Some { Value = Variable id } when ctx.IsWordLet id.Text -> Some(ActivationFromLet id.Text)
                | Some a ->
                    wordArgument ctx DiagnosticCodes.UnknownActivation "activation" activationWords a
                    |> Option.map (fun w -> FixedActivation(activations |> List.find (fun (k, _) -> k = w) |> snd))
                | None -> Some(FixedActivation "Linear")
            /// A layer's `bias` argument, true without it.
            let biasArgument (b: Map<string, Arg>) =
                match b.TryFind "bias" with
                | Some a -> boolArgument ctx "bias value" a
                | None -> Some true
            /// A layer's own `init: normal(std: …)`, or the model's, checked once at the fan-in of the first layer using it.
            let checkInit (what: string) (lname: Ident) (fanIn: float option) (ownInit: Expr option option) =
                match ownInit with
                | Some(Some std) -> checkStd what fanIn std
                | Some None -> ()
                | None ->
                    match modelInit with
                    | Some std when not modelInitChecked ->
                        modelInitChecked <- true
                        checkStd $"model {mname.Text}" fanIn std
                    | Some _ -> ()
                    | None when inits.IsEmpty ->
                        ctx.Report DiagnosticCodes.MissingInit lname.Span
                            $"{what} has no initialization. Add \"init normal(std: …)\" to model {mname.Text}, or init: normal(std: …) to the layer."
                    | None -> ()
            /// Layers that read images (conv, pooling) need an image: a vector input or a flattened one cannot be read so.
            let needImage (kind: Ident) (lname: Ident) =
                match image with
                | Some shape -> Some shape
                | None ->
                    let why =
                        if layers.Count = 0 then $"model {mname.Text}'s input is a vector: declare it as an image, input (channels, height, width)"
                        else "the layer before it gives a vector (a dense layer, or flatten)"
                    ctx.Report DiagnosticCodes.InvalidLayerShape kind.Span $"{kind.Text} {lname.Text} reads images, but {why}."
                    failed <- true
                    None
            for item in items do
                match item with
                | Flatten span ->
                    match image with
                    | Some(c, h, w) ->
                        image <- None
                        previousExpr <- Some(Number(c * h * w, num (c * h * w), span))
                    // After a layer whose shape was refused, what reaches flatten is unknown: no second error.
                    | None when failed -> ()
                    | None ->
                        ctx.Report DiagnosticCodes.InvalidLayerShape span
                            "flatten turns images into vectors, but what reaches it is already a vector: remove it."
                | Layer(kind, lname, args, span) when kind.Text = "conv" ->
                    let ok = declare lname "layer"
                    let what = $"layer {lname.Text}"
                    let b =
                        bindArguments ctx $"conv {lname.Text}(…)" span
                            [ param "filters" true true; param "activation" true false; param "kernel" false false; param "stride" false false
                              param "padding" false false; param "bias" false false; param "init" false false ] args
                    let filters = b.TryFind "filters" |> Option.map (fun a -> a.Value)
                    let filtersValue = filters |> Option.bind (whole $"The filters of {what}" 1.0)
                    let numberArg (n: string) (defaultValue: float) (minimum: float) =
                        match b.TryFind n with
                        | Some a -> a.Value, whole $"The {n} of {what}" minimum a.Value
                        | None -> Number(defaultValue, num defaultValue, span), Some defaultValue
                    let kernel, kernelValue = numberArg "kernel" 3.0 1.0
                    let stride, strideValue = numberArg "stride" 1.0 1.0
                    let padding, paddingValue = numberArg "padding" 0.0 0.0
                    let activation = activationArgument b
                    let bias = biasArgument b
                    let ownInit = b.TryFind "init" |> Option.map (fun a -> initStd what a.Value)
                    let shape = needImage kind lname
                    let fanIn =
                        match shape, kernelValue with
                        | Some(c, _, _), Some k -> Some(c * k * k)
                        | _ -> None
                    checkInit what lname fanIn ownInit
                    if ok then
                        fanIns[lname.Text] <- fanIn
                        layerNames.Add lname.Text
                        convNames.Add lname.Text |> ignore
                    match shape, filtersValue, kernelValue, strideValue, paddingValue with
                    | Some(_, h, w), Some f, Some k, Some st, Some p ->
                        if k > h + 2.0 * p || k > w + 2.0 * p then
                            ctx.Report DiagnosticCodes.InvalidLayerShape kind.Span
                                $"The {num k}×{num k} kernel of conv {lname.Text} does not fit its {num h}×{num w} input with padding {num p}: use a smaller kernel or more padding."
                            failed <- true
                            image <- None
                        else
                            image <- Some(f, Math.Floor((h + 2.0 * p - k) / st) + 1.0, Math.Floor((w + 2.0 * p - k) / st) + 1.0)
                    | _ -> image <- None
                    previous <- image |> Option.map (fun (c, h, w) -> c * h * w)
                    previousExpr <- None
                    lastWidth <- None
                    match filters, activation, bias with
                    | Some f, Some a, Some bi when (match ownInit with Some None -> false | _ -> true) ->
                        layers.Add
                            { Name = lname.Text; Kind = ConvLayer(kernel, stride, padding); Width = f; Activation = a; Bias = bi
                              InitStd = ownInit |> Option.flatten }
                    | _ -> failed <- true
                | Layer(kind, lname, args, span) when kind.Text = "maxpool" || kind.Text = "avgpool" ->
                    let ok = declare lname "layer"
                    let what = $"{kind.Text} {lname.Text}"
                    let b = bindArguments ctx $"{what}(…)" span [ param "size" true true; param "stride" false false ] args
                    let size =
                        match b.TryFind "size" with
                        | Some { Value = Variable id } when id.Text = "global" -> Some None
                        | Some a -> whole $"The size of {what}" 1.0 a.Value |> Option.map (fun v -> Some(a.Value, v))
                        | None -> None
                    let stride =
                        match b.TryFind "stride", size with
                        | Some a, Some None ->
                            ctx.Report DiagnosticCodes.TooManyArguments a.Span $"{what}(global) pools each whole channel: it has no stride."
                            None
                        | Some a, _ -> whole $"The stride of {what}" 1.0 a.Value |> Option.map (fun v -> Some(a.Value, v))
                        | None, _ -> Some None
                    if ok then
                        fanIns[lname.Text] <- None
                        layerNames.Add lname.Text
                        poolNames.Add lname.Text |> ignore
                    match needImage kind lname, size, stride with
                    | Some(c, h, w), Some None, Some _ -> image <- Some(c, 1.0, 1.0)
                    | Some(c, h, w), Some(Some(_, k)), Some st ->
                        let st = st |> Option.map snd |> Option.defaultValue k
                        if k > h || k > w then
                            ctx.Report DiagnosticCodes.InvalidLayerShape kind.Span
                                $"The {num k}×{num k} window of {what} does not fit its {num h}×{num w} input: use a smaller size."
                            failed <- true
                            image <- None
                        else image <- Some(c, Math.Floor((h - k) / st) + 1.0, Math.Floor((w - k) / st) + 1.0)
                    | _ -> image <- None
                    previous <- image |> Option.map (fun (c, h, w) -> c * h * w)
                    previousExpr <- None
                    lastWidth <- None
                    match size, stride with
                    | Some sz, Some st ->
                        layers.Add
                            { Name = lname.Text; Kind = PoolLayer(kind.Text = "maxpool", sz |> Option.map fst, st |> Option.map fst)
                              Width = Number(0.0, "0", span); Activation = FixedActivation "Linear"; Bias = false; InitStd = None }
                    | _ -> failed <- true
                | Layer(kind, lname, args, span) when kind.Text = "batchnorm" ->
                    let ok = declare lname "layer"
                    let what = $"batchnorm {lname.Text}"
                    let b = bindArguments ctx $"{what}(…)" span [ param "activation" true false; param "momentum" false false ] args
                    let activation = activationArgument b
                    let momentum = b.TryFind "momentum" |> Option.map (fun a -> a.Value)
                    momentum |> Option.iter (inRange DiagnosticCodes.ValueOutOfRange $"The momentum of {what}" (fun v -> v >= 0.0 && v <= 1.0) "in [0, 1]")
                    if ok then
                        fanIns[lname.Text] <- None
                        layerNames.Add lname.Text
                        normNames.Add lname.Text |> ignore
                    // Per channel of an image, per feature of a vector: the shape passes through unchanged. Over one
                    // value per channel (a vector, or a 1×1 image) a mini-batch of one sample cannot be normalized.
                    match image with
                    | None -> singleValueNorm.Value <- Some lname.Text
                    | Some(_, h, w) when h * w = 1.0 -> singleValueNorm.Value <- Some lname.Text
                    | Some _ -> ()
                    let width =
                        match image, previousExpr with
                        | Some(c, _, _), _ -> Some(Number(c, num c, span))
                        | None, Some w -> Some w
                        | None, None -> None
                    match width, activation with
                    | Some w, Some a ->
                        layers.Add
                            { Name = lname.Text; Kind = BatchNormLayer momentum; Width = w; Activation = a; Bias = true; InitStd = None }
                    | _ -> failed <- true
                | Network(kind, args, span) ->
                    let what = "resnet18(…)"
                    let b = bindArguments ctx what span [ param "width" true true; param "classes" true true ] args
                    let width = b.TryFind "width" |> Option.map (fun a -> a.Value)
                    width |> Option.iter (inRange DiagnosticCodes.ValueOutOfRange "The width multiplier of resnet18" (fun v -> v > 0.0) "> 0 (0.25 gives 16, 32, 64, 128 channels)")
                    let classes = b.TryFind "classes" |> Option.map (fun a -> a.Value)
                    let classesValue = classes |> Option.bind (whole "The classes of resnet18" 1.0)
                    let others = items |> List.filter (function Layer _ | Flatten _ | Network _ -> true | _ -> false)
                    if others.Length > 1 then
                        ctx.Report DiagnosticCodes.InvalidLayerOrder kind.Span
                            $"resnet18(…) is the whole network, from its stem convolution conv1 to its dense head fc: remove the other layers of model {mname.Text}."
                        failed <- true
                    match image with
                    | Some(c, h, w) ->
                        checkInit "resnet18" kind (Some(c * 9.0)) None
                        // Stages 2–4 halve the image (3×3, padding 1, stride 2): a 1×1 image in the last stage has one
                        // value per channel in its batch normalizations.
                        let last (side: float) = List.fold (fun s _ -> Math.Ceiling(s / 2.0)) side [ 1; 2; 3 ]
                        if last h * last w = 1.0 then singleValueNorm.Value <- Some "layer4.1.bn2"
                    | None ->
                        ctx.Report DiagnosticCodes.InvalidLayerShape kind.Span
                            $"resnet18 reads images, but model {mname.Text}'s input is a vector: declare it as an image, input (channels, height, width)."
                        failed <- true
                    network <- Some "resnet18"
                    let channels =
                        width |> Option.bind (value "The width multiplier of resnet18")
                        |> Option.map (fun k -> Math.Max(1.0, Math.Round(512.0 * k, MidpointRounding.AwayFromZero)))
                    for name in ResNet18Names.all do
                        if not (fanIns.ContainsKey name) then
                            fanIns[name] <- (if name = ResNet18Names.head then channels else None)
                            layerNames.Add name
                    ResNet18Names.convolutions |> List.iter (convNames.Add >> ignore)
                    ResNet18Names.norms |> List.iter (normNames.Add >> ignore)
                    ResNet18Names.blockNames |> List.iter (blockNames.Add >> ignore)
                    poolNames.Add ResNet18Names.pool |> ignore
                    image <- None
                    previous <- classesValue
                    previousExpr <- classes
                    lastWidth <- classes |> Option.map (fun c -> { kind with Text = ResNet18Names.head }, classesValue, c)
                    match width, classes with
                    | Some w, Some c when classesValue.IsSome ->
                        layers.Add
                            { Name = "resnet18"; Kind = ResNet18Layer w; Width = c; Activation = FixedActivation "Relu"; Bias = true; InitStd = None }
                    | _ -> failed <- true
                | Layer(kind, lname, args, span) when kind.Text = "dropout" ->
                    let ok = declare lname "layer"
                    if image.IsSome then
                        ctx.Report DiagnosticCodes.InvalidLayerShape kind.Span
                            $"dropout {lname.Text} acts on a dense layer's outputs, but images reach it: place it after flatten and a dense layer."
                        failed <- true
                    let b = bindArguments ctx $"dropout {lname.Text}(…)" span [ param "keep" true true ] args
                    let keep = b.TryFind "keep" |> Option.map (fun a -> a.Value)
                    keep |> Option.iter (inRange DiagnosticCodes.ValueOutOfRange $"The keep probability of dropout {lname.Text}" (fun v -> v > 0.0 && v <= 1.0) "in (0, 1]")
                    if ok then
                        fanIns[lname.Text] <- previous
                        layerNames.Add lname.Text
                        dropoutNames.Add lname.Text |> ignore
                    match previousExpr, layers.Count with
                    | _, 0 ->
                        ctx.Report DiagnosticCodes.InvalidLayerOrder lname.Span
                            $"dropout {lname.Text} has no layer before it: dropout acts on a dense layer's outputs, so place it after one (dense hidden(m, tanh) then dropout {lname.Text}(keep: 0.9))."
                        failed <- true
                    | Some width, _ ->
                        match keep with
                        | Some k ->
                            layers.Add
                                { Name = lname.Text; Kind = DropoutLayer k; Width = width; Activation = FixedActivation "Linear"; Bias = false
                                  InitStd = None }
                        | None -> failed <- true
                    | None, _ -> failed <- true
                | Layer(kind, lname, args, span) ->
                    if kind.Text <> "dense" then
                        ctx.Report DiagnosticCodes.UnknownLayerKind kind.Span
                            $"""Unknown layer kind "{kind.Text}".{didYouMean kind.Text [ "dense"; "dropout"; "conv"; "maxpool"; "avgpool"; "batchnorm" ]} The layer kinds are dense {lname.Text}(width, activation, bias: true), dropout {lname.Text}(keep: p), conv {lname.Text}(filters, activation, kernel: 3, stride: 1, padding: 0), maxpool {lname.Text}(size) and avgpool {lname.Text}(size) (or (global)), batchnorm {lname.Text}(activation, momentum: 0.1); a whole network: resnet18(width: 1, classes: 10)."""
                        failed <- true
                        // Still a layer by name, so observations of it do not report it a second time.
                        if declare lname "layer" then
                            fanIns[lname.Text] <- None
                            layerNames.Add lname.Text
                        previous <- None
                        lastWidth <- None
                    else
                        declare lname "layer" |> ignore
                        let what = $"layer {lname.Text}"
                        let b =
                            bindArguments ctx $"dense {lname.Text}(…)" span
                                [ param "width" true true; param "activation" true false; param "bias" false false; param "init" false false ] args
                        let width = b.TryFind "width" |> Option.map (fun a -> a.Value)
                        let widthValue = width |> Option.bind (whole $"The width of {what}" 1.0)
                        let activation = activationArgument b
                        let bias = biasArgument b
                        let ownInit = b.TryFind "init" |> Option.map (fun a -> initStd what a.Value)
                        checkInit what lname previous ownInit
                        if image.IsSome then
                            ctx.Report DiagnosticCodes.InvalidLayerShape kind.Span
                                $"dense {lname.Text} reads vectors, but images reach it: add flatten before it."
                            failed <- true
                            image <- None
                        // A second layer of the same name is already an error; keeping the first one's fan-in
                        // stops measures of that name from being judged by the duplicate's shape as well.
                        if not (fanIns.ContainsKey lname.Text) then
                            fanIns[lname.Text] <- previous
                            layerNames.Add lname.Text
                        match width, widthValue with
                        | Some w, Some wv -> checkLayerSize what w wv previousExpr previous
                        | _ -> ()
                        previous <- widthValue
                        previousExpr <- width
                        lastWidth <- width |> Option.map (fun w -> lname, widthValue, w)
                        match width, activation, bias with
                        | Some w, Some a, Some bi when (match ownInit with Some None -> false | _ -> true) ->
                            layers.Add
                                { Name = lname.Text; Kind = DenseLayer; Width = w; Activation = a; Bias = bi; InitStd = ownInit |> Option.flatten }
                        | _ -> failed <- true
                | _ -> ()
            // The prediction must not be dropped out: dropout belongs between dense layers.
            match items |> List.choose (function Layer(k, n, _, _) -> Some(k, n) | _ -> None) |> List.tryLast with
            | Some(k, n) when k.Text = "dropout" ->
                ctx.Report DiagnosticCodes.InvalidLayerOrder n.Span
                    $"dropout {n.Text} is the last layer, so it would drop the model's predictions: place it between dense layers (before dense out(1))."
            | _ -> ()
            if layerNames.Count = 0 && not failed then
                ctx.Report DiagnosticCodes.EmptyModel mname.Span
                    $"model {mname.Text} has no layers. Add at least one, e.g. dense out(1)."
            // The loss decides the output: one value for mse's scalar target, one logit per class for cross_entropy.
            let lossWord =
                trainBlocks |> List.tryHead |> Option.bind (fun (items, _) -> items |> List.tryPick (function LossItem(l, _) -> Some l.Text | _ -> None))
            match Seq.tryLast layers with
            | Some(last: CheckedLayer) when
                (match last.Kind with
                 | DenseLayer | DropoutLayer _ | ResNet18Layer _ -> false
                 | BatchNormLayer _ -> image.IsSome
                 | _ -> true) ->
                ctx.Report DiagnosticCodes.InvalidLayerOrder mspan
                    $"model {mname.Text} ends with {last.Name}, which gives images: end it with flatten and a dense layer (dense out(classes))."
            | _ ->
                match lastWidth, lossWord with
                | Some(lname, Some w, wexpr), Some "cross_entropy" when w < 2.0 ->
                    ctx.ReportValue DiagnosticCodes.OutputWidthMismatch lname.Span wexpr
                        $"The last layer \"{lname.Text}\" has width {num w}{ctx.With wexpr}, but loss cross_entropy needs one output per class (at least 2): e.g. dense out(10)."
                | Some(lname, Some w, wexpr), lw when w <> 1.0 && lw <> Some "cross_entropy" ->
                    ctx.ReportValue DiagnosticCodes.OutputWidthMismatch lname.Span wexpr
                        $"The last layer \"{lname.Text}\" has width {num w}{ctx.With wexpr}, but loss mse compares it with a scalar target: the output layer needs width 1 (add dense out(1)), or use loss cross_entropy for classes."
                | _ -> ()
            // Antisymmetric: the last hidden dense layer's second half copies the first, with the output weights negated.
            let denseLayers = layers |> Seq.filter (fun l -> l.Kind = DenseLayer) |> List.ofSeq
            if antisymmetric then
                match List.rev denseLayers with
                | _ :: hidden :: _ ->
                    match value $"The width of layer {hidden.Name}" hidden.Width with
                    | Some w when w % 2.0 <> 0.0 ->
                        ctx.ReportValue DiagnosticCodes.InvalidLayerOrder antisymmetricSpan hidden.Width
                            $"antisymmetric pairs each neuron of layer {hidden.Name} with a copy whose output weight is negated, so its width must be even{ctx.With hidden.Width}; it is {num w}."
                    | _ -> ()
                | _ ->
                    ctx.Report DiagnosticCodes.InvalidLayerOrder antisymmetricSpan
                        $"antisymmetric pairs the neurons of the last hidden layer (negated output weights give a zero initial output), but model {mname.Text} has no hidden dense layer."
            let inputShape = match input with Some(Tuple([ c; h; w ], _)) -> Some(c, h, w) | _ -> None
            match input with
            | Some i when not failed && layers.Count > 0 ->
                Some(mname.Text, i, inputShape, List.ofSeq layers, modelInit, antisymmetric, outputScale)
            | _ -> None

    let layerCandidates () = List.ofSeq layerNames
    /// The model's layers for a message: all of them, or for a network the pattern of its names.
    let layerList () =
        match network with
        | Some n ->
            $"those of {n}: conv1, bn1, layer1.0 … layer4.1 (each with .conv1, .bn1, .conv2, .bn2; layer2.0, layer3.0 and layer4.0 also .shortcut.conv, .shortcut.bn), avgpool and fc"
        | None -> if layerNames.Count = 0 then "none" else String.Join(", ", layerNames)
    let checkLayerRef (id: Ident) : bool =
        if id.Text = "first conv" || id.Text = "last conv" then
            ctx.Report DiagnosticCodes.UnknownLayer id.Span
                $"{id.Text} names the model's {id.Text.Split(' ')[0]} convolution layer, but the model has none. Layers of the model: {layerList ()}."
            false
        elif normNames.Contains id.Text then
            ctx.Report DiagnosticCodes.InvalidLayerOrder id.Span
                $"{id.Text} is a batch normalization: it has a scale and shift per channel, no neurons' weights to observe or reduce. Name a conv or dense layer."
            false
        elif blockNames.Contains id.Text then
            ctx.Report DiagnosticCodes.InvalidLayerOrder id.Span
                $"{id.Text} is a residual block: observe one of its convolutions, {id.Text}.conv1 or {id.Text}.conv2."
            false
        elif poolNames.Contains id.Text then
            ctx.Report DiagnosticCodes.InvalidLayerOrder id.Span
                $"{id.Text} is a pooling layer: it has no weights to observe or reduce. Name a conv or dense layer."
            false
        elif dropoutNames.Contains id.Text then
            let dense = layerNames |> Seq.takeWhile (fun n -> n <> id.Text) |> Seq.filter (dropoutNames.Contains >> not) |> Seq.tryLast
            let hint = match dense with Some d -> $" Name the dense layer before it, {d}." | None -> ""
            ctx.Report DiagnosticCodes.InvalidLayerOrder id.Span
                $"{id.Text} is a dropout layer: it has no weights to observe or reduce.{hint}"
            false
        elif layerNames.Contains id.Text then true
        else
            ctx.Report DiagnosticCodes.UnknownLayer id.Span
                $"""Unknown layer "{id.Text}".{didYouMean id.Text (layerCandidates ())} Layers of the model: {layerList ()}."""
            false

    // ---- train: the train block before a reduce statement trains the model; one after it fine-tunes the reduced model.
    let reduceIndex = statements |> List.tryFindIndex (function Reduce _ -> true | _ -> false)
    let trainsWithIndex =
        statements |> List.indexed |> List.choose (function i, Train(items, s) -> Some(i, (items, s)) | _ -> None)
    let isFineTune (i: int) = match reduceIndex with Some r -> i > r | None -> false
    let trains = trainsWithIndex |> List.filter (fst >> isFineTune >> not) |> List.map snd
    let fineTunes = trainsWithIndex |> List.filter (fst >> isFineTune) |> List.map snd
    for (_, s) in List.skip (min 1 trains.Length) trains do
        ctx.Report DiagnosticCodes.DuplicateBlock s
            "An experiment has one train block; merge the two (a train block after a reduce statement fine-tunes the reduced model)."
    for (_, s) in List.skip (min 1 fineTunes.Length) fineTunes do
        ctx.Report DiagnosticCodes.DuplicateBlock s "A reduce statement is followed by at most one train block (the fine-tuning); merge the two."
    /// One train block: the checked training (None on errors) and its length when known.
    let checkTrainBlock (items: TrainItem list, tspan: Span) : CheckedTraining option * float option =
        let once (what: string) (found: 'a list) (spanOf: 'a -> Span) =
            for x in List.skip (min 1 found.Length) found do
                ctx.Report DiagnosticCodes.DuplicateBlock (spanOf x) $"The train block gives {what} twice; keep one."
            List.tryHead found
        let losses = items |> List.choose (function LossItem(l, s) -> Some(l, s) | _ -> None)
        let optimizers = items |> List.choose (function OptimizerItem(o, s) -> Some(o, s) | _ -> None)
        let durations = items |> List.choose (function DurationItem(u, l, s) -> Some(u, l, s) | _ -> None)
        let untils = items |> List.choose (function UntilItem(m, op, v, s) -> Some(m, op, v, s) | _ -> None)
        let retryItems = items |> List.choose (function RetryItem(n, s) -> Some(n, s) | _ -> None)
        let trainKw = { tspan with End = tspan.Start + 5 }
        let loss =
            match once "the loss" losses snd with
            | None ->
                ctx.Report DiagnosticCodes.MissingArgument trainKw "The train block needs a loss: add \"loss mse\"."
                None
            | Some(l, _) when l.Text = "mse" -> Some "Mse"
            | Some(l, _) when l.Text = "cross_entropy" -> Some "CrossEntropy"
            | Some(l, _) ->
                ctx.Report DiagnosticCodes.UnknownLoss l.Span
                    $"""Unknown loss "{l.Text}".{didYouMean l.Text [ "mse"; "cross_entropy" ]} The losses are mse (a scalar target) and cross_entropy (class labels)."""
                None
        /// A mini-batch size: a whole number ≥ 1, at most the number of training points, and not leaving a last batch of one
        /// sample where a batch normalization normalizes one value per channel.
        let checkBatch (be: Expr) =
            match whole "batch" 1.0 be, points with
            | Some bv, Some p when bv > p ->
                let both = Tuple(be :: Option.toList pointsExpr, be.Span)
                ctx.ReportValue DiagnosticCodes.BatchTooLarge be.Span both
                    $"batch ({num bv}) is larger than the data ({num p} points){ctx.With both}. Use batch ≤ {num p}, or a full-batch optimizer."
            | Some bv, Some p when p % bv = 1.0 && singleValueNorm.Value.IsSome ->
                let both = Tuple(be :: Option.toList pointsExpr, be.Span)
                ctx.ReportValue DiagnosticCodes.BatchTooLarge be.Span both
                    $"With {num p} points and batch {num bv}{ctx.With both} the last mini-batch of every epoch holds one sample, and batch normalization {singleValueNorm.Value.Value} normalizes one value per channel, which a single sample cannot give (training needs ≥ 2). Choose another batch, e.g. {num (bv + 1.0)}."
            | _ -> ()
        /// weight_decay, momentum, nesterov, batch and schedule: what the optimizer's binding found of them.
        let optimizerOptions (name: string) (b: Map<string, Arg>) : OptimizerOptions option =
            let nonNegative (key: string) =
                b.TryFind key |> Option.map (fun a ->
                    inRange DiagnosticCodes.ValueOutOfRange $"The {key} of {name}" (fun v -> v >= 0.0) "≥ 0" a.Value
                    a.Value)
            let weightDecay = nonNegative "weight_decay"
            let momentum =
                b.TryFind "momentum" |> Option.map (fun a ->
                    inRange DiagnosticCodes.ValueOutOfRange $"The momentum of {name}" (fun v -> v >= 0.0 && v < 1.0) "in [0, 1)" a.Value
                    a.Value)
            let nesterov =
                match b.TryFind "nesterov" with
                | Some a ->
                    let on = boolArgument ctx "nesterov value" a
                    if on = Some true && momentum.IsNone then
                        ctx.Report DiagnosticCodes.MissingArgument a.Span "Nesterov momentum needs a momentum: add momentum: 0.9."
                    on
                | None -> Some false
            let batch = b.TryFind "batch" |> Option.map (fun a -> checkBatch a.Value; a.Value)
            let schedule =
                match b.TryFind "schedule" with
                | None -> Some None
                | Some { Value = Call(k, args, span) } when k.Text = "step" ->
                    let sb = bindArguments ctx "step(…)" span [ param "every" true true; param "factor" true true ] args
                    let every = sb.TryFind "every" |> Option.map (fun a -> a.Value)
                    let factor = sb.TryFind "factor" |> Option.map (fun a -> a.Value)
                    every |> Option.iter (whole "The every of a step schedule" 1.0 >> ignore)
                    factor |> Option.iter (inRange DiagnosticCodes.ValueOutOfRange "The factor of a step schedule" (fun v -> v > 0.0) "> 0")
                    match every, factor with
                    | Some e, Some f -> Some(Some(StepLr(e, f)))
                    | _ -> None
                | Some { Value = Call(k, args, span) } when k.Text = "cosine" ->
                    let cb = bindArguments ctx "cosine(…)" span [ param "min" true false ] args
                    let minimum = cb.TryFind "min" |> Option.map (fun a -> a.Value) |> Option.defaultValue (Number(0.0, "0", span))
                    inRange DiagnosticCodes.ValueOutOfRange "The min of a cosine schedule (a fraction of lr)" (fun v -> v >= 0.0 && v <= 1.0) "in [0, 1]" minimum
                    Some(Some(CosineLr minimum))
                | Some a ->
                    ctx.Report DiagnosticCodes.WrongValueKind a.Value.Span
                        "A learning-rate schedule is step(every: k, factor: 0.1) or cosine(min: 0)."
                    None
            match nesterov, schedule with
            | Some n, Some sc ->
                Some { Batch = batch; WeightDecay = weightDecay; Momentum = momentum; Nesterov = n; Decoupled = (name = "adamw"); Schedule = sc }
            | _ -> None
        let common = [ param "weight_decay" false false; param "schedule" false false ]
        let optimizer =
            match once "the optimizer" optimizers snd with
            | None ->
                ctx.Report DiagnosticCodes.MissingArgument trainKw "The train block needs an optimizer: add e.g. \"optimizer gd(lr: 0.1)\"."
                None
            | Some(Call(o, args, span), _) ->
                let lr (b: Map<string, Arg>) =
                    b.TryFind "lr" |> Option.map (fun a ->
                        match value "lr" a.Value with
                        | Some v when v <= 0.0 ->
                            ctx.ReportValue DiagnosticCodes.NonPositiveLearningRate a.Value.Span a.Value
                                $"The learning rate must be > 0, {ctx.Got(a.Value, v)}. Use e.g. lr: 0.1."
                        | _ -> ()
                        a.Value)
                match o.Text with
                | "gd" ->
                    let b = bindArguments ctx "gd(…)" span ([ param "lr" true true ] @ common) args
                    match lr b, optimizerOptions "gd" b with
                    | Some l, Some opts -> Some(Gd l, opts)
                    | _ -> None
                | "sgd" ->
                    let b =
                        bindArguments ctx "sgd(…)" span
                            ([ param "lr" true true; param "batch" true true; param "momentum" false false; param "nesterov" false false ] @ common) args
                    match lr b, optimizerOptions "sgd" b with
                    | Some l, Some({ Batch = Some bt } as opts) -> Some(Sgd(l, bt), { opts with Batch = None })
                    | _ -> None
                | "adam"
                | "adamw" ->
                    let b =
                        bindArguments ctx $"{o.Text}(…)" span
                            ([ param "lr" true true; param "betas" false false; param "eps" false false; param "batch" false false ] @ common) args
                    let betas =
                        match b.TryFind "betas" with
                        | None -> Some(Number(0.9, "0.9", span), Number(0.999, "0.999", span))
                        | Some { Value = Tuple([ b1; b2 ], _) } ->
                            for be in [ b1; b2 ] do
                                inRange DiagnosticCodes.ValueOutOfRange "Each of adam's betas" (fun v -> v >= 0.0 && v < 1.0) "in [0, 1)" be
                            Some(b1, b2)
                        | Some a ->
                            ctx.Report DiagnosticCodes.WrongValueKind a.Value.Span
                                "adam's betas are a pair: write betas: (0.9, 0.999)."
                            None
                    let eps =
                        match b.TryFind "eps" with
                        | None -> Some(Number(1e-8, "1e-8", span))
                        | Some a ->
                            inRange DiagnosticCodes.ValueOutOfRange "adam's eps" (fun v -> v > 0.0) "> 0" a.Value
                            Some a.Value
                    match lr b, betas, eps, optimizerOptions o.Text b with
                    | Some l, Some(b1, b2), Some e, Some opts ->
                        // AdamW's decay defaults to torch's 0.01; Adam's (L2) to none.
                        let opts =
                            if o.Text = "adamw" && opts.WeightDecay.IsNone then { opts with WeightDecay = Some(Number(0.01, "0.01", span)) }
                            else opts
                        Some(Adam(l, b1, b2, e), opts)
                    | _ -> None
                | other ->
                    ctx.Report DiagnosticCodes.UnknownOptimizer o.Span
                        $"""Unknown optimizer "{other}".{didYouMean other [ "gd"; "sgd"; "adam"; "adamw" ]} Expected gd(lr: …), sgd(lr: …, batch: …, momentum: 0.9), adam(lr: …, betas: (0.9, 0.999), eps: 1e-8, batch: …) or adamw(lr: …, weight_decay: 0.01); each may take weight_decay: … and schedule: step(every: k, factor: 0.1) or cosine(min: 0)."""
                    None
            | Some(other, _) ->
                ctx.Report DiagnosticCodes.WrongValueKind other.Span "Expected an optimizer such as gd(lr: 0.1)."
                None
        let duration =
            match once "the duration (epochs or steps)" durations (fun (_, _, s) -> s) with
            | None ->
                ctx.Report DiagnosticCodes.MissingArgument trainKw "The train block needs a length: add \"epochs <n>\" or \"steps <n>\"."
                None
            | Some(u, l, _) -> Some(u, l, whole u.Text 1.0 l)
        /// (until loss < tol, until accuracy >= a): at most one of them.
        let stop =
            match once "the stop rule" untils (fun (_, _, _, s) -> s) with
            | None -> Some(None, None)
            | Some(m, op, v, s) ->
                match m.Text with
                | "loss" when op <> Lt ->
                    ctx.Report DiagnosticCodes.WrongValueKind s "The stop rule is \"until loss < tol\": use the < comparison."
                    None
                | "loss" ->
                    inRange DiagnosticCodes.ValueOutOfRange "The stop tolerance" (fun x -> x > 0.0) "> 0" v
                    Some(Some v, None)
                | "accuracy" when op <> Ge ->
                    ctx.Report DiagnosticCodes.WrongValueKind s "The stop rule on accuracy is \"until accuracy >= a\": use the >= comparison."
                    None
                | "accuracy" when loss <> Some "CrossEntropy" ->
                    ctx.Report DiagnosticCodes.ExpectationNotObserved m.Span "Accuracy is defined for classification: stopping on it needs loss cross_entropy."
                    None
                | "accuracy" ->
                    inRange DiagnosticCodes.ValueOutOfRange "The accuracy to reach" (fun x -> x > 0.0 && x <= 1.0) "in (0, 1]" v
                    Some(None, Some v)
                | _ ->
                    ctx.Report DiagnosticCodes.UnknownMeasure m.Span
                        $""""until" stops on the training loss or accuracy: write until loss < 1e-6 or until accuracy >= 0.95.{didYouMean m.Text [ "loss"; "accuracy" ]}"""
                    None
        let retries =
            match once "the divergence rule" retryItems snd with
            | None -> Some None
            | Some(n, _) ->
                match whole "The number of retries" 1.0 n with
                | Some v when v > 30.0 ->
                    ctx.ReportValue DiagnosticCodes.ValueOutOfRange n.Span n
                        $"retry {num v} would halve the learning rate {num v} times (by 2^{num v}); at most 30 retries are allowed, {ctx.Got(n, v)}."
                    None
                | Some _ -> Some(Some n)
                | None -> None
        match optimizer, duration, stop, retries, loss with
        | Some(o, opts), Some(u, l, lv), Some(below, accuracy), Some rt, Some lossName ->
            Some { Loss = lossName; Optimizer = o; Options = opts; Unit = (if u.Text = "epochs" then "Epochs" else "Steps"); Length = l
                   StopBelow = below; StopAtAccuracy = accuracy; Retries = rt }, lv
        | _, Some(_, _, lv), _, _, _ -> None, lv
        | _ -> None, None
    let training, length =
        match trains with
        | [] ->
            ctx.Report DiagnosticCodes.MissingBlock fileStart
                "The experiment has no train block. Add e.g.: train { loss mse; optimizer gd(lr: 0.1); epochs 1000 }"
            None, None
        | first :: _ -> checkTrainBlock first

    // ---- observe
    let observations = ResizeArray<CheckedObservation>()
    /// An option's value for comparing observations: the number it folds to, or its text when it reads lets.
    let optionText (e: Expr) =
        if usesVariables e then ctx.Slice e.Span
        else value "A measure option" e |> Option.map num |> Option.defaultValue (ctx.Slice e.Span)
    /// Metrics column → the options of the first observation writing it, and where that is.
    let columnOptions = Collections.Generic.Dictionary<string, string * Span>()
    /// One metrics column per measure and layer: observing it in several schedules is fine, but only with the same
    /// options, or two different quantities would be written into the same column.
    let checkSameOptions (span: Span) (measure: CheckedMeasure) =
        let column =
            match measure with
            | MClusters(l, t, s, n, ma, ls) ->
                let signed = if s then "true" else "false"
                Some($"clusters.{l}",
                     $"threshold: {optionText t}, signed: {signed}, negligible: {optionText n}, mass: {optionText ma}, line_size: {optionText ls}")
            | MFeatures(l, amp) -> Some($"features.{l}", $"amplitude: {amp.ToLowerInvariant()}")
            | MCosineOutputs(l, d, c, t) ->
                let threshold = t |> Option.map optionText |> Option.defaultValue "default"
                Some($"aligned_outputs.{l}", $"on {d} {optionText c}, threshold: {threshold}")
            | MCosine(l, Some t) -> Some($"aligned.{l}", $"threshold: {optionText t}")
            | MCosine(l, None) -> Some($"aligned.{l}", "threshold: default")
            | MLoss _ | MAccuracy _ | MRelDis _ -> None
        match column with
        | Some(key, options) ->
            match columnOptions.TryGetValue key with
            | true, (first, firstSpan) when first <> options ->
                ctx.Report DiagnosticCodes.ConflictingMeasureOptions span
                    $"{key} is observed on line {firstSpan.Line} with ({first}) and here with ({options}); both would write the metrics column {key}. Use the same options in every observe block."
            | true, _ -> ()
            | _ -> columnOptions[key] <- (options, span)
        | None -> ()
    /// Every measure that parsed, with its schedule when valid: expectations are checked against these, so one error
    /// in an observe block does not make every expectation on it fail too.
    let recorded = ResizeArray<CheckedSchedule option * CheckedMeasure list>()
    for st in statements do
        match st with
        | Observe(schedule, measures, _) ->
            let sched =
                match schedule with
                | Every(e, _) -> whole "The observation interval" 1.0 e |> Option.map (fun _ -> SEvery e)
                | When(metric, op, v, _) ->
                    match metric.Text with
                    | "loss" -> value "The trigger's value" v |> Option.map (fun _ -> SWhen("loss", compareName op, v))
                    | "accuracy" when training |> Option.exists (fun t -> t.Loss <> "CrossEntropy") ->
                        ctx.Report DiagnosticCodes.ExpectationNotObserved metric.Span
                            "accuracy is the fraction of samples classified right: a trigger on it needs loss cross_entropy."
                        None
                    | "accuracy" ->
                        inRange DiagnosticCodes.ValueOutOfRange "The accuracy of a trigger" (fun x -> x >= 0.0 && x <= 1.0) "in [0, 1]" v
                        Some(SWhen("accuracy", compareName op, v))
                    | other ->
                        ctx.Report DiagnosticCodes.UnknownMeasure metric.Span
                            $"""An observation is triggered by the training loss or accuracy: observe when accuracy >= 0.95 {{ … }}.{didYouMean other [ "loss"; "accuracy" ]}"""
                        None
                | At(points, span) ->
                    if points.IsEmpty then
                        ctx.Report DiagnosticCodes.MissingArgument span "observe at [...] needs at least one step, e.g. observe at [100, 1000]."
                    let values =
                        points |> List.map (fun p ->
                            match constant "An observation step" p with
                            | Some v when Math.Floor v <> v || v < 0.0 ->
                                ctx.Report DiagnosticCodes.NotWholeCount p.Span $"An observation step must be a whole number ≥ 0, got {num v}."
                                None
                            | Some v ->
                                match length with
                                | Some l when v > l ->
                                    ctx.Report DiagnosticCodes.ObservationAfterEnd p.Span
                                        $"Step {num v} comes after the end of training ({num l}); it will never be observed. Remove it or train longer."
                                | _ -> ()
                                Some(int64 v)
                            | None -> None)
                    let mutable seen = Set.empty
                    for (p, v) in List.zip points values do
                        match v with
                        | Some v when seen.Contains v ->
                            ctx.Report DiagnosticCodes.DuplicateObservationStep p.Span $"Step {v} is listed twice; remove one."
                        | Some v -> seen <- seen.Add v
                        | None -> ()
                    if values |> List.forall Option.isSome && not points.IsEmpty then
                        Some(SAt(values |> List.choose id |> List.distinct |> List.sort))
                    else None
            let known = [ "loss"; "accuracy"; "features"; "cosine"; "clusters"; "reldis" ]
            /// `on <data>`: a data set of the experiment (None: the training data).
            /// Whether data set d's samples fit the model the training data feeds (the same size and image shape).
            let fitsModel (d: Ident) =
                match dataShapes.TryGetValue d.Text, data |> Option.bind (fun t -> match dataShapes.TryGetValue t.Name with | true, s -> Some s | _ -> None) with
                | (true, (dim, shape)), Some(trainDim, trainShape) when dim <> trainDim || (shape.IsSome && trainShape.IsSome && shape <> trainShape) ->
                    let describe (dim: int, shape: (int * int * int) option) =
                        match shape with
                        | Some(c, h, w) -> $"{c}×{h}×{w} images"
                        | None -> $"samples of {dim} numbers"
                    ctx.Report DiagnosticCodes.InputSizeMismatch d.Span
                        $"data {d.Text} has {describe (dim, shape)}, but the model takes the {describe (trainDim, trainShape)} of the training data {data.Value.Name}."
                    false
                | _ -> true
            let onData (k: string) (m: Measure) =
                match m.Source with
                | None -> Some None
                | Some(On(d, _)) when dataPoints.ContainsKey d.Text -> if fitsModel d then Some(Some d.Text) else None
                | Some(On(d, _)) ->
                    ctx.Report DiagnosticCodes.UnknownData d.Span
                        $"""Unknown data set "{d.Text}".{didYouMean d.Text (List.ofSeq dataPoints.Keys)} The experiment's data sets: {String.Join(", ", dataPoints.Keys)}."""
                    None
                | Some(Weights span)
                | Some(Outputs(_, _, span)) ->
                    ctx.Report DiagnosticCodes.TooManyArguments span $"{k} is measured on a data set: write {k}, or {k} on <data>."
                    None
            let checkedMeasures =
                measures |> List.map (fun m ->
                    let k = m.Kind.Text
                    if not (List.contains k known) then
                        ctx.Report DiagnosticCodes.UnknownMeasure m.Kind.Span
                            $"""Unknown measure "{k}".{didYouMean k known} Expected one of: {String.Join(", ", known)}."""
                        None
                    elif k = "loss" || k = "accuracy" then
                        match m.Layer with
                        | Some l ->
                            ctx.Report DiagnosticCodes.TooManyArguments l.Span
                                $"\"{k}\" is measured on the training data (or on <data>) and takes no layer: write just {k}, or {k} on <data>."
                            None
                        | None ->
                            bindArguments ctx k m.Span [] m.Args |> ignore
                            let classifies = training |> Option.forall (fun t -> t.Loss = "CrossEntropy")
                            if k = "accuracy" && not classifies then
                                ctx.Report DiagnosticCodes.ExpectationNotObserved m.Kind.Span
                                    "accuracy is the fraction of samples classified right: it needs loss cross_entropy (a model with one output per class)."
                            match onData k m with
                            | Some d when k = "loss" -> Some(MLoss d)
                            | Some d when classifies -> Some(MAccuracy d)
                            | _ -> None
                    else
                        match m.Layer with
                        | None ->
                            ctx.Report DiagnosticCodes.MissingArgument m.Span
                                $""""{k}" needs a layer: write {k} <layer>{(match layerNames |> Seq.tryHead with Some l -> $", e.g. {k} {l}" | None -> "")}."""
                            None
                        | Some layer ->
                            let exists = checkLayerRef layer
                            let what = $"{k} {layer.Text}"
                            match m.Source with
                            | Some(Weights span)
                            | Some(Outputs(_, _, span)) when k <> "cosine" ->
                                ctx.Report DiagnosticCodes.TooManyArguments span
                                    $"Only cosine compares weights or outputs; write just {k} {layer.Text}."
                            | Some(On(_, span)) ->
                                ctx.Report DiagnosticCodes.TooManyArguments span
                                    $"{k} {layer.Text} is a measure of the layer's weights; only loss and accuracy are measured on a data set (cosine {layer.Text} outputs on <data> <n> compares outputs)."
                            | _ -> ()
                            if exists && convNames.Contains layer.Text && (k = "features" || k = "clusters") then
                                ctx.Report DiagnosticCodes.InvalidLayerShape layer.Span
                                    $"{layer.Text} is a convolution layer: observe it with cosine {layer.Text} (its kernels), cosine {layer.Text} outputs on <data> <n>, or reldis {layer.Text}; {k} is defined for dense layers."
                            let exists = exists && not (convNames.Contains layer.Text && (k = "features" || k = "clusters"))
                            match k with
                            | "features" ->
                                let b = bindArguments ctx what m.Span [ param "amplitude" false false ] m.Args
                                let amp =
                                    match b.TryFind "amplitude" with
                                    | Some a -> wordArgument ctx DiagnosticCodes.UnknownOption "amplitude" [ "full"; "input" ] a
                                    | None -> Some "full"
                                if exists then
                                    match fanIns.TryGetValue layer.Text with
                                    | true, Some f when f <> 1.0 ->
                                        ctx.Report DiagnosticCodes.FeaturesNeedOneDimensionalInput layer.Span
                                            $"features (orientation, amplitude) are defined for neurons with 1-D input, but layer {layer.Text} has {num f} inputs. Use cosine {layer.Text} or clusters {layer.Text} instead."
                                    | _ -> ()
                                match amp with
                                | Some a when exists -> Some(MFeatures(layer.Text, (if a = "full" then "Full" else "Input")))
                                | _ -> None
                            | "cosine" ->
                                let b = bindArguments ctx what m.Span [ param "threshold" false false ] m.Args
                                // The cosine above which two neurons count as aligned (the aligned / aligned_outputs columns).
                                let threshold =
                                    b.TryFind "threshold" |> Option.map (fun a ->
                                        inRange DiagnosticCodes.ThresholdOutOfRange $"The threshold of {what}" (fun v -> v >= 0.0 && v <= 1.0) "in [0, 1]" a.Value
                                        a.Value)
                                match m.Source with
                                | None
                                | Some(Weights _) -> if exists then Some(MCosine(layer.Text, threshold)) else None
                                | Some(On _) -> None
                                | Some(Outputs(d, count, _)) ->
                                    let dataOk =
                                        if dataPoints.ContainsKey d.Text then fitsModel d
                                        else
                                            ctx.Report DiagnosticCodes.UnknownData d.Span
                                                $"""Unknown data set "{d.Text}".{didYouMean d.Text (List.ofSeq dataPoints.Keys)} The experiment's data sets: {String.Join(", ", dataPoints.Keys)}; write cosine {layer.Text} outputs on <data> <points>."""
                                            false
                                    let countOk =
                                        let known = if dataOk then dataPoints[d.Text] else (None, None)
                                        match whole $"The number of points of {what} outputs" 1.0 count, known with
                                        | Some c, (Some p, pe) when c > p ->
                                            let both = Tuple(count :: Option.toList pe, count.Span)
                                            ctx.ReportValue DiagnosticCodes.ValueOutOfRange count.Span both
                                                $"{what} outputs takes {num c} points but data {d.Text} has {num p}{ctx.With both}. Use at most {num p}."
                                            false
                                        | Some _, _ -> true
                                        | None, _ -> false
                                    if exists && dataOk && countOk then Some(MCosineOutputs(layer.Text, d.Text, count, threshold)) else None
                            | "reldis" ->
                                bindArguments ctx what m.Span [] m.Args |> ignore
                                if exists then Some(MRelDis layer.Text) else None
                            | _ ->
                                let b =
                                    bindArguments ctx what m.Span
                                        [ param "threshold" false false; param "signed" false false; param "negligible" false false; param "mass" false false
                                          param "line_size" false false ]
                                        m.Args
                                let numberArg (n: string) (defaultText: string) (ok: float -> bool) (range: string) (code: string) =
                                    match b.TryFind n with
                                    | Some a ->
                                        inRange code $"The {n} of {what}" ok range a.Value
                                        a.Value
                                    | None -> Number(float defaultText, defaultText, m.Span)
                                let threshold = numberArg "threshold" "0.95" (fun v -> v >= -1.0 && v <= 1.0) "in [-1, 1]" DiagnosticCodes.ThresholdOutOfRange
                                let negligible = numberArg "negligible" "1e-3" (fun v -> v >= 0.0 && v < 1.0) "in [0, 1)" DiagnosticCodes.ValueOutOfRange
                                let mass = numberArg "mass" "0.9" (fun v -> v > 0.0 && v <= 1.0) "in (0, 1]" DiagnosticCodes.ValueOutOfRange
                                let lineSize =
                                    numberArg "line_size" "3" (fun v -> v >= 1.0 && Math.Floor v = v) "a whole number ≥ 1" DiagnosticCodes.NotWholeCount
                                let signed =
                                    match b.TryFind "signed" with
                                    | Some a -> boolArgument ctx "signed value" a
                                    | None -> Some true
                                match signed with
                                | Some s when exists -> Some(MClusters(layer.Text, threshold, s, negligible, mass, lineSize))
                                | _ -> None)
            recorded.Add(sched, List.choose id checkedMeasures)
            for (m, c) in List.zip measures checkedMeasures do
                c |> Option.iter (checkSameOptions m.Span)
            match sched with
            | Some s when checkedMeasures |> List.forall Option.isSome ->
                observations.Add { Schedule = s; Measures = List.choose id checkedMeasures }
            | _ -> ()
        | _ -> ()

    // ---- sweep
    let sweep = ResizeArray<CheckedSweepAxis>()
    let sweepSources = ResizeArray<SweepSource>()
    let letNames = lets |> Seq.map (fun l -> l.Name) |> List.ofSeq
    let sweptNames = Collections.Generic.HashSet<string>()
    let isWordLet (n: string) = lets |> Seq.exists (fun l -> l.Name = n && l.Word.IsSome)
    /// A value of a let named in a sweep or an expectation's condition: an activation word for a word-valued let (its
    /// index), else a constant number (whole for integer lets and seed).
    let letValueOf (what: string) (n: string) (e: Expr) : float option =
        if isWordLet n then
            wordArgument ctx DiagnosticCodes.UnknownActivation "activation" activationWords { Name = None; Value = e; Span = e.Span }
            |> Option.map (fun w -> float (List.findIndex ((=) w) activationWords))
        else
            let integer = n = "seed" || (lets |> Seq.exists (fun l -> l.Name = n && l.IsInteger))
            match constant $"{what} of {n}" e with
            | Some v when integer && Math.Floor v <> v ->
                let values = if what = "A sweep value" then "its sweep values" else "the values it is compared with"
                // A let is an integer when its default is written without a decimal point: say how to make it real.
                let why =
                    match lets |> Seq.tryFind (fun l -> l.Name = n) with
                    | Some l when l.IsInteger && not l.IsComputed -> $" (its default {l.Text} has no decimal point; if {n} is not a count, write {l.Text}.0 to make it real)"
                    | _ -> ""
                ctx.Report DiagnosticCodes.NotWholeCount e.Span $"{n} is an integer parameter{why}, so {values} must be whole numbers; got {num v}."
                None
            | r -> r
    for st in statements do
        match st with
        | Sweep(axes, _) ->
            for axis in axes do
                let names = axis.Names |> List.map (fun id -> id.Text)
                let mutable namesOk = true
                for id in axis.Names do
                    let n = id.Text
                    if not (List.contains n letNames) && n <> "seed" then
                        namesOk <- false
                        ctx.Report DiagnosticCodes.UnknownSweepAxis id.Span
                            $"""Cannot sweep "{n}": it is not a let.{didYouMean n (letNames @ [ "seed" ])} Sweep a declared let or seed, or add "let {n} = …"."""
                    elif not (sweptNames.Add n) then
                        namesOk <- false
                        ctx.Report DiagnosticCodes.DuplicateName id.Span $"\"{n}\" is swept twice; give all its values in one axis."
                let tupleText = "(" + String.Join(", ", names) + ")"
                let points: ((string * float) list * Span) list option =
                    if not namesOk then None
                    else
                        match axis.Values, axis.Names with
                        | ValueList(items, span), _ ->
                            if items.IsEmpty then
                                ctx.Report DiagnosticCodes.MissingArgument span $"The sweep of {tupleText.Trim('(', ')')} has no values; list at least one."
                            let point (e: Expr) =
                                match axis.Names, e with
                                | [ single ], _ -> letValueOf "A sweep value" single.Text e |> Option.map (fun v -> [ single.Text, v ])
                                | many, Tuple(values, _) when values.Length = many.Length ->
                                    let vs = List.map2 (fun (id: Ident) v -> letValueOf "A sweep value" id.Text v |> Option.map (fun x -> id.Text, x)) many values
                                    if vs |> List.forall Option.isSome then Some(List.choose id vs) else None
                                | many, other ->
                                    let shape = "(" + String.Join(", ", many |> List.map (fun _ -> "…")) + ")"
                                    ctx.Report DiagnosticCodes.SweepTupleMismatch other.Span
                                        $"Each value of the axis {tupleText} gives all {many.Length} of them, as a tuple in the same order: {shape}."
                                    None
                            let pts = items |> List.map (fun e -> point e |> Option.map (fun p -> p, e.Span))
                            if not items.IsEmpty && pts |> List.forall Option.isSome then Some(List.choose id pts) else None
                        | Range(a, b, span), [ single ] ->
                            let n = single.Text
                            match constant "A sweep range bound" a, constant "A sweep range bound" b with
                            | Some lo, Some hi ->
                                if Math.Floor lo <> lo || Math.Floor hi <> hi then
                                    ctx.Report DiagnosticCodes.InvalidSweepRange span
                                        $"A range a..b steps by 1 between whole numbers; got {num lo}..{num hi}. List other values: {n} in [0.5, 1, 1.5]."
                                    None
                                elif lo > hi then
                                    ctx.Report DiagnosticCodes.InvalidSweepRange span
                                        $"The range {num lo}..{num hi} is empty: write the smaller bound first ({num hi}..{num lo})."
                                    None
                                elif hi - lo >= 100000.0 then
                                    ctx.Report DiagnosticCodes.InvalidSweepRange span
                                        $"The range {num lo}..{num hi} has {num (hi - lo + 1.0)} values; a sweep holds at most 100000."
                                    None
                                else Some [ for v in lo..hi -> [ n, v ], span ]
                            | _ -> None
                        | Range(_, _, span), _ ->
                            ctx.Report DiagnosticCodes.SweepTupleMismatch span
                                $"A range a..b sweeps one let; list the tuples of {tupleText} instead: {tupleText} in [(…), (…)]."
                            None
                match points with
                | Some pts ->
                    sweep.Add { Names = names; Points = pts |> List.map (fun (p, _) -> List.map snd p) }
                    sweepSources.Add { Points = pts }
                | None -> ()
        | _ -> ()

    // A swept let that nothing reads has no effect: warn (the sweep would repeat the same run).
    let used =
        let roots =
            [ for st in statements do
                  match st with
                  | Let _ -> ()
                  | Data(_, src, _, _) -> yield! variablesOf src
                  | Model(_, items, _) ->
                      for it in items do
                          match it with
                          | Input(e, _) | Init(e, _) | Scale(e, _) -> yield! variablesOf e
                          | Layer(_, _, args, _) | Network(_, args, _) -> for a in args do yield! variablesOf a.Value
                          | Flatten _ -> ()
                  | Train(items, _) ->
                      for it in items do
                          match it with
                          | OptimizerItem(e, _) | DurationItem(_, e, _) | UntilItem(_, _, e, _) | RetryItem(e, _) -> yield! variablesOf e
                          | LossItem _ -> ()
                  | Observe(sched, ms, _) ->
                      match sched with
                      | Every(e, _) -> yield! variablesOf e
                      | At(ps, _) -> for p in ps do yield! variablesOf p
                      | When(_, _, v, _) -> yield! variablesOf v
                      for m in ms do for a in m.Args do yield! variablesOf a.Value
                  | _ -> () ]
        let byName = lets |> Seq.map (fun l -> l.Name, variablesOf l.Value) |> Map.ofSeq
        let rec close (seen: Set<string>) (todo: string list) =
            match todo with
            | [] -> seen
            | n :: rest when seen.Contains n -> close seen rest
            | n :: rest -> close (seen.Add n) ((byName.TryFind n |> Option.defaultValue []) @ rest)
        close Set.empty roots
    for st in statements do
        match st with
        | Sweep(axes, _) ->
            for id in axes |> List.collect (fun a -> a.Names) do
                let n = id.Text
                if n <> "seed" && List.contains n letNames && not (used.Contains n) then
                    ctx.Report DiagnosticCodes.SweepAxisUnused id.Span
                        $"Sweeping \"{n}\" has no effect: nothing in the experiment uses it. Use it in the model, data or training, or remove the axis."
        | _ -> ()

    // ---- reduce
    let reduces = statements |> List.choose (function Reduce(l, args, s) -> Some(l, args, s) | _ -> None)
    for (_, _, s) in List.skip (min 1 reduces.Length) reduces do
        ctx.Report DiagnosticCodes.DuplicateBlock s "An experiment reduces one layer; remove this second reduce statement."
    let reduction =
        match reduces with
        | [] -> None
        | (layer, args, span) :: _ ->
            let what = $"reduce {layer.Text}"
            let b =
                bindArguments ctx what span [ param "threshold" false false; param "negligible" false false; param "agreement" false false ] args
            let numberArg (n: string) (defaultText: string) (ok: float -> bool) (range: string) (code: string) =
                match b.TryFind n with
                | Some a ->
                    inRange code $"The {n} of {what}" ok range a.Value
                    a.Value
                | None -> Number(float defaultText, defaultText, span)
            let threshold = numberArg "threshold" "0.9" (fun v -> v > 0.0 && v <= 1.0) "in (0, 1]" DiagnosticCodes.ThresholdOutOfRange
            let negligible = numberArg "negligible" "1e-3" (fun v -> v >= 0.0 && v < 1.0) "in [0, 1)" DiagnosticCodes.ValueOutOfRange
            let agreement = numberArg "agreement" "0.01" (fun v -> v > 0.0) "> 0" DiagnosticCodes.ValueOutOfRange
            let exists = checkLayerRef layer
            let next = layerNames.IndexOf layer.Text + 1
            let followed = exists && next < layerNames.Count && not (dropoutNames.Contains layerNames[next])
            if exists && next >= layerNames.Count then
                let hidden = if layerNames.Count > 1 then $" (e.g. reduce {layerNames[0]})" else ""
                ctx.Report DiagnosticCodes.InvalidReduction layer.Span
                    $"reduce merges a hidden layer's neurons and folds them into the next layer's weights, but {layer.Text} is the last layer. Reduce a hidden layer{hidden}."
            elif exists && not followed then
                ctx.Report DiagnosticCodes.InvalidReduction layer.Span
                    $"reduce folds {layer.Text}'s merged neurons into the next layer's weights, but {layerNames[next]} after it is a dropout layer. Reduce a layer directly followed by a dense layer."
            let fineTune =
                match fineTunes with
                | [] -> Some None
                | first :: _ -> checkTrainBlock first |> fst |> Option.map Some
            match fineTune with
            | Some ft when followed ->
                Some { Layer = layer.Text; Threshold = threshold; Negligible = negligible; Agreement = agreement; FineTune = ft }
            | _ -> None

    // ---- embed
    let embeds = statements |> List.choose (function Embed(l, args, s) -> Some(l, args, s) | _ -> None)
    for (_, _, s) in List.skip (min 1 embeds.Length) embeds do
        ctx.Report DiagnosticCodes.DuplicateBlock s "An experiment embeds once; remove this second embed statement."
    let embedding =
        match embeds, model with
        | [], _ -> None
        | (layer, args, span) :: _, _ when not reduces.IsEmpty ->
            ctx.Report DiagnosticCodes.InvalidEmbedding span
                $"embed checks the trained network, but this experiment also reduces it: put \"embed {layer.Text}\" and \"reduce\" in separate files."
            None
        | (layer, args, span) :: _, modelInfo ->
            let what = $"embed {layer.Text}"
            let b = bindArguments ctx what span [ param "neuron" false false; param "split" false false; param "tolerance" false false ] args
            let argOr (n: string) (defaultText: string) = match b.TryFind n with Some a -> a.Value | None -> Number(float defaultText, defaultText, span)
            let neuron, split, tolerance = argOr "neuron" "1", argOr "split" "0.5", argOr "tolerance" "1e-6"
            let exists = checkLayerRef layer
            // The check works on a two-layer net f(x) = Σ a_k σ(w_k·x + b_k): the layer is the first dense layer, with
            // biases, and the only one before a last dense layer of width 1 without bias; no output scale.
            let dense = match modelInfo with Some(_, _, _, layers, _, _, _) -> layers |> List.filter (fun (l: CheckedLayer) -> l.Kind = DenseLayer) | None -> []
            let reason =
                match dense with
                | [ hidden; out ] when hidden.Name = layer.Text ->
                    if not hidden.Bias then Some $"Layer {layer.Text} has no bias, and the check's two-layer net has one per neuron: remove bias: false"
                    elif out.Bias then Some $"The output layer {out.Name} has a bias, which the check's two-layer net lacks: write dense {out.Name}(1, bias: false)"
                    elif (match modelInfo with Some(_, _, _, _, _, _, Some _) -> true | _ -> false) then Some "The model scales its output (scale …), which the check's net does not"
                    else None
                | _ when not exists -> None
                | _ ->
                    let modelName = match modelInfo with Some(n, _, _, _, _, _, _) -> $"model {n}" | None -> "the model"
                    Some $"embed {layer.Text} needs a two-layer net (input → {layer.Text} → one output), but {modelName} has {dense.Length} dense layers"
            match reason with
            | Some r -> ctx.Report DiagnosticCodes.InvalidEmbedding layer.Span $"{r}."
            | None -> ()
            let width = dense |> List.tryFind (fun l -> l.Name = layer.Text) |> Option.bind (fun l -> value $"The width of layer {layer.Text}" l.Width)
            match value $"The neuron of {what}" neuron with
            | Some k when Math.Floor k <> k || k < 1.0 || (width |> Option.exists (fun w -> k > w)) ->
                let range = match width with Some w -> $"1..{num w}" | None -> "1..width"
                ctx.ReportValue DiagnosticCodes.ValueOutOfRange neuron.Span neuron
                    $"The neuron of {what} is a neuron's number in {range} (1 is the first), {ctx.Got(neuron, k)}."
            | _ -> ()
            value $"The split of {what}" split |> ignore
            tolerance |> inRange DiagnosticCodes.ValueOutOfRange $"The tolerance of {what}" (fun v -> v > 0.0 && v < 1.0) "in (0, 1)"
            if exists && reason.IsNone then Some { Layer = layer.Text; Neuron = neuron; Split = split; Tolerance = tolerance } else None

    // ---- summary
    let summaries = statements |> List.choose (function Summary(call, s) -> Some(call, s) | _ -> None)
    let summaryKinds = [ "phase_diagram"; "loss_spectrum" ]
    let summaryForms =
        "phase_diagram(gamma, gamma_prime, width: m, layer: hidden) or loss_spectrum(by: m, bins: 200, from: -5, to: 0)"
    let mutable seenSummaries = Set.empty
    for (call, s) in summaries do
        match call with
        | Call(n, _, _) when List.contains n.Text summaryKinds ->
            if seenSummaries.Contains n.Text then
                ctx.Report DiagnosticCodes.DuplicateBlock s $"The experiment declares summary {n.Text} twice; keep one."
            seenSummaries <- seenSummaries.Add n.Text
        | Call(n, _, _) ->
            ctx.Report DiagnosticCodes.UnknownSummary n.Span
                $"""Unknown summary "{n.Text}".{didYouMean n.Text summaryKinds} Expected {summaryForms}."""
        | other -> ctx.Report DiagnosticCodes.WrongValueKind other.Span $"Expected a summary such as {summaryForms}."
    /// The first `summary <kind>(…)`: its name, arguments and span.
    let summaryOf (kind: string) =
        summaries |> List.tryPick (fun (call, _) -> match call with Call(n, args, span) when n.Text = kind -> Some(n, args, span) | _ -> None)
    /// How many distinct values the sweep gives the let (None when it is not swept).
    let sweptValueCount (name: string) =
        sweep
        |> Seq.tryFind (fun a -> List.contains name a.Names)
        |> Option.map (fun a -> let i = List.findIndex ((=) name) a.Names in a.Points |> List.map (fun p -> p[i]) |> List.distinct |> List.length)
    /// An argument of summary `kind` that must name a let: the cells are grouped (or a slope fitted) by its values.
    let letArgument (kind: string) (b: Map<string, Arg>) (role: string) (key: string) =
        match b.TryFind key with
        | Some { Value = Variable id } when List.contains id.Text letNames -> Some id
        | Some { Value = Variable id } ->
            ctx.Report DiagnosticCodes.UnknownName id.Span
                $"\"{id.Text}\" is not a let.{didYouMean id.Text letNames} {kind}'s {role} names a let declared with \"let {id.Text} = …\"."
            None
        | Some a ->
            let example = if key = "width" || key = "by" then "m" else key
            ctx.Report DiagnosticCodes.WrongValueKind a.Value.Span $"{kind}'s {role} names a let, e.g. {key}: {example}."
            None
        | None -> None
    let phaseDiagram =
        match summaryOf "phase_diagram" with
        | None -> None
        | Some(_, args, span) ->
            let b =
                bindArguments ctx "phase_diagram(…)" span
                    [ param "gamma" true true; param "gamma_prime" true true; param "width" false true; param "layer" false true ] args
            let gamma = letArgument "phase_diagram" b "first argument (γ)" "gamma"
            let gammaPrime = letArgument "phase_diagram" b "second argument (γ′)" "gamma_prime"
            let width = letArgument "phase_diagram" b "width" "width"
            // S_w is a slope over widths: it needs the width swept over at least two values.
            match width with
            | Some w when (sweptValueCount w.Text |> Option.defaultValue 0) < 2 ->
                ctx.Report DiagnosticCodes.InvalidSummary w.Span
                    $"The phase diagram fits log RelDis against log {w.Text} over the widths, so {w.Text} must be swept over at least two values: sweep {{ {w.Text} in [1000, 2000, 4000, 8000] }}."
            | _ -> ()
            let layer =
                match b.TryFind "layer" with
                | Some { Value = Variable id } when checkLayerRef id ->
                    let observed = recorded |> Seq.exists (fun (_, ms) -> ms |> List.exists (function MRelDis l -> l = id.Text | _ -> false))
                    if not observed then
                        ctx.Report DiagnosticCodes.ExpectationNotObserved id.Span
                            $"The phase diagram reads RelDis of {id.Text} at the end of each run, but nothing records it: add \"reldis {id.Text}\" to an observe block."
                        None
                    else Some id
                | Some { Value = Variable _ } -> None
                | Some a ->
                    ctx.Report DiagnosticCodes.WrongValueKind a.Value.Span "phase_diagram's layer names a dense layer, e.g. layer: hidden."
                    None
                | None -> None
            match gamma, gammaPrime, width, layer with
            | Some g, Some gp, Some w, Some l -> Some { Gamma = g.Text; GammaPrime = gp.Text; Width = w.Text; Layer = l.Text }
            | _ -> None
    let lossSpectrum =
        match summaryOf "loss_spectrum" with
        | None -> None
        | Some(n, args, span) ->
            let b =
                bindArguments ctx "loss_spectrum(…)" span
                    [ param "by" true true; param "bins" false false; param "from" false false; param "to" false false ] args
            let by = letArgument "loss_spectrum" b "by" "by"
            match by with
            | Some id when sweptValueCount id.Text |> Option.isNone ->
                ctx.Report DiagnosticCodes.InvalidSummary id.Span
                    $"The loss spectrum has one row per value of {id.Text}, so {id.Text} must be swept: sweep {{ {id.Text} in [1, 2, 4, 8]; seed in 1..5 }}."
            | _ -> ()
            let number (key: string) (fallback: float) =
                match b.TryFind key with
                | Some a -> constant $"loss_spectrum's {key}" a.Value
                | None -> Some fallback
            let bins = number "bins" 200.0
            match b.TryFind "bins", bins with
            | Some a, Some v when Math.Floor v <> v || v < 1.0 || v > 100000.0 ->
                ctx.ReportValue DiagnosticCodes.NotWholeCount a.Value.Span a.Value $"loss_spectrum's bins must be a whole number in 1..100000, {ctx.Got(a.Value, v)}."
            | _ -> ()
            let lo, hi = number "from" -5.0, number "to" 0.0
            match lo, hi with
            | Some l, Some h when not (l < h) ->
                ctx.Report DiagnosticCodes.ValueOutOfRange n.Span
                    $"loss_spectrum bins log10(loss) from {num l} to {num h}: from must be below to (e.g. from: -5, to: 0)."
            | _ -> ()
            let observesLoss = recorded |> Seq.exists (fun (_, ms) -> List.contains (MLoss None) ms)
            if not observesLoss then
                ctx.Report DiagnosticCodes.ExpectationNotObserved n.Span
                    "The loss spectrum reads each run's loss curve, but nothing records the loss: add \"observe every 100 { loss }\"."
            match by, bins, lo, hi with
            | Some id, Some bv, Some l, Some h when observesLoss && l < h && Math.Floor bv = bv && bv >= 1.0 && bv <= 100000.0 ->
                Some { By = id.Text; Bins = int bv; From = l; To = h }
            | _ -> None

    // ---- expect
    let expectations = ResizeArray<CheckedExpectation>()
    /// Expect measures read from the width reduction, with their metric names (reduction.<field>).
    let reductionMeasures =
        [ "reduced_width", "width_after"; "reduced_loss", "loss_reduced"; "reduced_agreement", "agreement_reduced"
          "finetuned_loss", "loss_finetuned"; "finetuned_agreement", "agreement_finetuned" ]
    /// Expect measures read from the embedding check, with their metric names (embedding.<field>).
    let embeddingMeasures =
        [ "embedded_gap", "function_gap"; "embedded_loss", "loss_after"; "trained_gradient", "gradient_before"
          "embedded_gradient", "gradient_after"; "hessian_positive", "hessian_positive_before"; "hessian_zero", "hessian_zero_before"
          "hessian_negative", "hessian_negative_before"; "embedded_hessian_positive", "hessian_positive_after"
          "embedded_hessian_zero", "hessian_zero_after"; "embedded_hessian_negative", "hessian_negative_after" ]
    let expectMeasures =
        [ "loss"; "accuracy"; "clusters"; "effective_width"; "condensed_width"; "negligible"; "static"; "lines"; "largest_cluster"; "reldis"
          "aligned"; "aligned_outputs"; "slope" ]
        @ List.map fst reductionMeasures @ List.map fst embeddingMeasures
    for st in statements do
        match st with
        | Expect(measure, layer, step, op, v, conditions, span) ->
            let k = measure.Text
            // From the measure to the value or the last condition: the statement's span also covers a trailing comment.
            let textEnd = conditions |> List.fold (fun e c -> max e c.Span.End) v.Span.End
            let text = ctx.Slice { span with Start = measure.Span.Start; End = textEnd }
            if not (List.contains k expectMeasures) then
                ctx.Report DiagnosticCodes.UnknownMeasure measure.Span
                    $"""Unknown measure "{k}" in expect.{didYouMean k expectMeasures} Expected one of: {String.Join(", ", expectMeasures)}."""
            else
                let layerOk =
                    match k, layer with
                    // The phase diagram's slope: its layer is the summary's, so naming it is optional.
                    | "slope", None -> true
                    | "slope", Some l -> checkLayerRef l
                    // loss(test), accuracy(test): the name in parentheses is a data set.
                    | ("loss" | "accuracy"), Some d when dataPoints.ContainsKey d.Text -> true
                    | ("loss" | "accuracy"), Some l when layerNames.Contains l.Text ->
                        ctx.Report DiagnosticCodes.TooManyArguments l.Span
                            $"The {k} takes no layer: write expect {k} at end … (or {k}(<data>) for another data set)."
                        false
                    | ("loss" | "accuracy"), Some d ->
                        ctx.Report DiagnosticCodes.UnknownData d.Span
                            $"""Unknown data set "{d.Text}".{didYouMean d.Text (List.ofSeq dataPoints.Keys)} {k}(<data>) names a data set ({String.Join(", ", dataPoints.Keys)}); write {k} alone for the training data."""
                        false
                    | ("loss" | "accuracy"), None -> true
                    | _, None ->
                        ctx.Report DiagnosticCodes.MissingArgument measure.Span $"{k} needs a layer: write expect {k}(<layer>) at …"
                        false
                    | _, Some l -> checkLayerRef l
                // `where a in [...], b in [...]`: the sweep cells this expectation is about (every test must hold).
                let conditionTest (c: ExpectCondition) =
                    let n = c.Name.Text
                    if not (List.contains n letNames) && n <> "seed" then
                        ctx.Report DiagnosticCodes.UnknownName c.Name.Span
                            $"""Unknown let "{n}" in the condition.{didYouMean n (letNames @ [ "seed" ])} A condition names a let (or seed): where {(match letNames with l :: _ -> l | [] -> "seed")} in [...]."""
                        None
                    else
                        if c.Values.IsEmpty then
                            ctx.Report DiagnosticCodes.MissingArgument c.Span $"The condition on {n} lists no values; give at least one."
                        let values = c.Values |> List.map (letValueOf "A condition value" n)
                        if not c.Values.IsEmpty && values |> List.forall Option.isSome then Some(n, List.choose id values) else None
                let mutable seenTests = Set.empty
                for c in conditions do
                    if seenTests.Contains c.Name.Text then
                        ctx.Report DiagnosticCodes.DuplicateArgument c.Name.Span
                            $"The condition tests {c.Name.Text} twice; list all its values in one test: {c.Name.Text} in [...]."
                    seenTests <- seenTests.Add c.Name.Text
                let tests = conditions |> List.map conditionTest
                let conditionResult = if tests |> List.forall Option.isSome then Some(List.choose id tests) else None
                /// A result of the reduction or of the embedding check: its metric, and whether it is the embedding's.
                let postField =
                    match reductionMeasures |> List.tryFind (fun (name, _) -> name = k) with
                    | Some(_, f) -> Some($"reduction.{f}", false)
                    | None -> embeddingMeasures |> List.tryFind (fun (name, _) -> name = k) |> Option.map (fun (_, f) -> $"embedding.{f}", true)
                if k = "slope" then
                    // S_w of the phase diagram: one value per (γ, γ′) group, known once the whole sweep has run.
                    match phaseDiagram, layer with
                    | None, _ when (summaryOf "phase_diagram").IsSome -> ()
                    | None, _ ->
                        ctx.Report DiagnosticCodes.ExpectationNotObserved measure.Span
                            "slope is the phase diagram's S_w: add \"summary phase_diagram(gamma, gamma_prime, width: m, layer: hidden)\" to the experiment."
                    | Some pd, Some l when layerOk && l.Text <> pd.Layer ->
                        ctx.Report DiagnosticCodes.InvalidSummary l.Span
                            $"The phase diagram fits the RelDis of layer {pd.Layer}, not {l.Text}: write expect slope({pd.Layer}) at end … (or slope without a layer)."
                    | Some _, _ -> ()
                    match step with
                    | AtStep e ->
                        ctx.Report DiagnosticCodes.ExpectationStepNotObserved e.Span
                            "slope is computed once, from the end of every run of the sweep: write expect slope at end …"
                    | AtEnd _ -> ()
                    let target = constant "The expected value" v
                    match phaseDiagram, target, conditionResult, step with
                    | Some _, Some tv, Some cond, AtEnd _ when layerOk ->
                        expectations.Add
                            { Metric = "phase_diagram.slope"; AtStep = None; Operator = compareName op; Value = tv; SourceText = text
                              Line = span.Line; Conditions = cond }
                    | _ -> ()
                else
                    match postField, layer with
                    | Some(metric, isEmbedding), Some l when layerOk ->
                        // Reduction and embedding results exist once, after training: only `at end`, only for their layer.
                        let reduced =
                            if isEmbedding then embeds |> List.exists (fun (e, _, _) -> e.Text = l.Text)
                            else reduces |> List.exists (fun (r, _, _) -> r.Text = l.Text)
                        if not reduced && isEmbedding then
                            ctx.Report DiagnosticCodes.ExpectationNotObserved measure.Span
                                $"{k} is a result of the embedding check, but nothing embeds in layer {l.Text}: add \"embed {l.Text} (neuron: 1, split: 0.5)\" after the train block."
                        elif not reduced then
                            ctx.Report DiagnosticCodes.ExpectationNotObserved measure.Span
                                $"{k} is a result of width reduction, but nothing reduces layer {l.Text}: add \"reduce {l.Text} (threshold: 0.9)\" after the train block."
                        elif k.StartsWith "finetuned" && fineTunes.IsEmpty then
                            ctx.Report DiagnosticCodes.ExpectationNotObserved measure.Span
                                $"{k} needs fine-tuning after the reduction: add a train {{ … }} block after \"reduce {l.Text}\"."
                        match step with
                        | AtStep e ->
                            ctx.Report DiagnosticCodes.ExpectationStepNotObserved e.Span
                                (let after = if isEmbedding then "the embedding check" else "the reduction"
                                 $"{k} is measured once, after {after}: write expect {k}({l.Text}) at end …")
                        | AtEnd _ -> ()
                        let target = constant "The expected value" v
                        match target, conditionResult, step with
                        | Some tv, Some cond, AtEnd _ when reduced ->
                            expectations.Add
                                { Metric = metric; AtStep = None; Operator = compareName op; Value = tv; SourceText = text
                                  Line = span.Line; Conditions = cond }
                        | _ -> ()
                    | Some _, _ -> ()
                    | None, _ ->
                        if layerOk then
                            let layerName = layer |> Option.map (fun l -> l.Text) |> Option.defaultValue ""
                            let dataName = layer |> Option.map (fun l -> l.Text)
                            let trainingName = data |> Option.map (fun d -> d.Name)
                            /// loss(train) is the loss: the training data named explicitly.
                            let sameData (d: string option) = d = dataName || (dataName.IsSome && dataName = trainingName && d.IsNone)
                            let records (m: CheckedMeasure) =
                                match k, m with
                                | "loss", MLoss d -> dataName.IsNone || dataName = trainingName || sameData d
                                | "accuracy", MAccuracy d -> sameData d
                                | "aligned", MCosine(l, _) -> l = layerName
                                | "aligned_outputs", MCosineOutputs(l, _, _, _) -> l = layerName
                                | ("clusters" | "effective_width" | "condensed_width" | "negligible" | "static" | "lines" | "largest_cluster"),
                                  MClusters(l, _, _, _, _, _) -> l = layerName
                                | "static", MFeatures(l, _) -> l = layerName
                                | "reldis", MRelDis l -> l = layerName
                                | _ -> false
                            let recording = recorded |> Seq.filter (fun (_, ms) -> ms |> List.exists records) |> List.ofSeq
                            let metric =
                                match k, dataName with
                                | ("loss" | "accuracy"), Some d when Some d <> trainingName -> $"{k}.{d}"
                                | ("loss" | "accuracy"), _ -> k
                                | _ -> $"{k}.{layerName}"
                            let observeHint =
                                match k with
                                | "loss" | "accuracy" when dataName.IsSome && dataName <> trainingName -> $"{k} on {dataName.Value}"
                                | "loss" | "accuracy" -> k
                                | "aligned" -> $"cosine {layerName}"
                                | "aligned_outputs" -> $"cosine {layerName} outputs on <data> <points>"
                                | "reldis" -> $"reldis {layerName}"
                                | "static" -> $"clusters {layerName} or features {layerName}"
                                | _ -> $"clusters {layerName}"
                            if recording.IsEmpty then
                                ctx.Report DiagnosticCodes.ExpectationNotObserved measure.Span
                                    $"Nothing records {metric}: add \"{observeHint}\" to an observe block, e.g. observe every 100 {{ {observeHint} }}."
                            let atStep =
                                match step with
                                | AtEnd _ -> Some None
                                | AtStep e ->
                                    match constant "The step of an expectation" e with
                                    | Some s when Math.Floor s <> s || s < 0.0 ->
                                        ctx.Report DiagnosticCodes.NotWholeCount e.Span $"The step of an expectation must be a whole number ≥ 0, got {num s}."
                                        None
                                    | Some s ->
                                        // Every observed measure is also taken at step 0, the initial state.
                                        let due (schedule: CheckedSchedule option, _) =
                                            match schedule with
                                            | _ when s = 0.0 -> true
                                            | None -> true
                                            | Some(SEvery interval) ->
                                                match value "interval" interval with
                                                | Some i -> (s % i = 0.0) || Some s = length
                                                | None -> true
                                            | Some(SAt ps) -> List.contains (int64 s) ps
                                            // When it fires is known only while training: `at N` cannot name its step.
                                            | Some(SWhen _) -> false
                                        match length with
                                        | Some l when s > l ->
                                            ctx.Report DiagnosticCodes.ExpectationStepNotObserved e.Span
                                                $"Step {num s} is after the end of training ({num l}); expect at a step ≤ {num l} or at end."
                                        | _ when not recording.IsEmpty && not (recording |> List.exists due) ->
                                            ctx.Report DiagnosticCodes.ExpectationStepNotObserved e.Span
                                                $"{metric} is not observed at step {num s}: expect at a step its observe block records, or add {num s} to an observe at [...] list."
                                        | _ -> ()
                                        Some(Some(int64 s))
                                    | None -> None
                            let target = constant "The expected value" v
                            match atStep, target, conditionResult with
                            | Some at, Some tv, Some cond when not recording.IsEmpty ->
                                expectations.Add
                                    { Metric = metric; AtStep = at; Operator = compareName op; Value = tv; SourceText = text; Line = span.Line
                                      Conditions = cond }
                            | _ -> ()
        | _ -> ()

    let diagnostics = ctx.Diagnostics |> Seq.sortBy (fun d -> d.Line, d.Column) |> List.ofSeq
    let experiment =
        match data, model, training with
        | Some d, Some(mname, input, inputShape, layers, init, antisymmetric, outputScale), Some t when not ctx.HasErrors ->
            Some
                { Name = name; Title = title; Lets = List.ofSeq lets
                  SeedDeclared = lets |> Seq.exists (fun l -> l.Name = "seed")
                  Data = d; OtherData = List.choose id otherData; ModelName = mname; Input = input; InputShape = inputShape
                  Layers = layers; ModelInitStd = init; Antisymmetric = antisymmetric
                  OutputScale = outputScale; PhaseDiagram = phaseDiagram; LossSpectrum = lossSpectrum; Embedding = embedding
                  Training = t
                  Observations = List.ofSeq observations; Sweep = List.ofSeq sweep; Expectations = List.ofSeq expectations
                  Reduction = reduction }
        | _ -> None
    { Experiment = experiment; Diagnostics = diagnostics }, List.ofSeq sweepSources

/// The errors `overrides` cause that the defaults (whose diagnostics are `defaults`) do not.
let private errorsWith (overrides: Map<string, Override>) (defaults: Diagnostic list) path text doc : Diagnostic list =
    let key (d: Diagnostic) = d.Code, d.Line, d.Column, d.Message
    let known = defaults |> List.map key |> Set.ofList
    let result, _ = checkPass overrides path text doc
    result.Diagnostics |> List.filter (fun d -> d.IsError && not (known.Contains(key d)))

/// Checking every cell of a big grid would make `cond check` slow; beyond this many cells only each axis value (the
/// others at default) is checked.
let private maxCheckedCells = 10_000

/// The sweep cells to check: each axis value alone (the others at default), which finds most problems and names
/// one value; then, when the grid is small enough and has several axes, every cell, for problems of combinations.
let private sweepCells (sources: SweepSource list) : Map<string, Override> list =
    let overridesOf (assignments: (string * float) list, span: Span) =
        assignments |> List.map (fun (n, v) -> n, { Name = n; Value = v; Origin = Some span })
    let single = [ for s in sources do for p in s.Points -> Map(overridesOf p) ]
    let count = sources |> List.fold (fun n s -> n * int64 s.Points.Length) 1L
    let product () =
        sources |> List.fold (fun cells s -> [ for c in cells do for p in s.Points -> c @ overridesOf p ]) [ [] ]
        |> List.map Map.ofList
    single @ (if sources.Length > 1 && count <= int64 maxCheckedCells then product () else [])

/// The errors some sweep cell has (each once), sorted by place.
let private sweepErrors (sources: SweepSource list) (defaults: Diagnostic list) path text doc : Diagnostic list =
    sweepCells sources
    |> List.collect (fun cell -> errorsWith cell defaults path text doc)
    |> List.distinctBy (fun d -> d.Code, d.Line, d.Column, d.Message)

let private sortByPlace (ds: Diagnostic list) = ds |> List.sortBy (fun d -> d.Line, d.Column)

/// Checks a document with every let at its default, then every sweep cell's values (when the defaults pass).
let check (path: string) (text: string) (doc: Document) : CheckResult =
    let result, sources = checkPass Map.empty path text doc
    if sources.IsEmpty || result.Experiment.IsNone then result
    else
        match sweepErrors sources result.Diagnostics path text doc with
        | [] -> result
        | errors -> { Experiment = None; Diagnostics = sortByPlace (result.Diagnostics @ errors) }

/// The errors the values (let name → value; other names ignored) cause beyond those of the defaults: what a run with
/// --set must be refused for.
let checkValues (path: string) (text: string) (doc: Document) (values: (string * float) seq) : Diagnostic list =
    let overrides = values |> Seq.map (fun (n, v) -> n, { Name = n; Value = v; Origin = None }) |> Map.ofSeq
    let defaults, _ = checkPass Map.empty path text doc
    errorsWith overrides defaults.Diagnostics path text doc |> sortByPlace
