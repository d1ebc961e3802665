using CondensationDsl.Runtime.Devices;

namespace CondensationDsl.Runtime.Program;

// The API an emitted program is written against. Emitted code builds these records in straight-line code
// and hands them to Trainer.Run; the records carry no behaviour of their own.

/// <summary>An emitted experiment program. The host finds the one public type implementing this interface.</summary>
public interface IExperimentProgram
{
    ExperimentInfo Info { get; }

    /// <summary>Runs one cell (one resolved parameter set, read through <paramref name="context"/>).</summary>
    void Run(RunContext context);
}

/// <summary>Integer and Real parameters are numbers; a Choice parameter is one word of its declaration's choices.</summary>
public enum ParameterType { Integer, Real, Choice }

/// <summary>
/// A settable value: every `let` of the experiment, and `seed` (default 1 when not declared). <see cref="DefaultValue"/> is
/// null for a `let` computed from other lets (its default is re-evaluated from them); <see cref="DefaultText"/> is the
/// default as written in the source, for help and reports. A <see cref="ParameterType.Choice"/> parameter (`let act = tanh`)
/// carries its words in <see cref="Choices"/>; its value, wherever parameters are numbers (sweep cells, --set, the run
/// context), is the index of its word there. <see cref="Format"/> and <see cref="TryParse"/> convert for people.
/// </summary>
public sealed record ParameterDeclaration(string Name, ParameterType Type, double? DefaultValue, string DefaultText, IReadOnlyList<string>? Choices = null)
{
    /// <summary>The value as a person writes it: the word of a choice, else the number (shortest round-trip form).</summary>
    public string Format(double value) =>
        Type == ParameterType.Choice && Choices is { } words && value >= 0 && value < words.Count && Math.Floor(value) == value
            ? words[(int)value]
            : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads a value as written on a command line: a word of the choices, or a number of the right kind.</summary>
    public bool TryParse(string text, out double value)
    {
        if (Type == ParameterType.Choice)
        {
            var index = Choices?.ToList().IndexOf(text) ?? -1;
            value = index;
            return index >= 0;
        }

        var parsed = double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
        return parsed && (Type != ParameterType.Integer || Math.Floor(value) == value);
    }
}

/// <summary>
/// One axis of `sweep { … }`, its points already expanded: `name in [...]` has one name, a tuple axis
/// `(a, b) in [(1, 2), …]` several, and each point gives a value to every name (in the order of <see cref="Names"/>).
/// </summary>
public sealed record SweepAxis(IReadOnlyList<string> Names, IReadOnlyList<IReadOnlyList<double>> Points)
{
    /// <summary>A one-name axis.</summary>
    public SweepAxis(string name, IReadOnlyList<double> values)
        : this([name], values.Select(value => (IReadOnlyList<double>)[value]).ToArray())
    {
    }
}

public enum ComparisonOperator { Less, LessOrEqual, Greater, GreaterOrEqual, Equal, NotEqual }

public static class Comparison
{
    /// <summary>Whether `actual op expected` holds (an `expect` clause, an `observe when` trigger).</summary>
    public static bool Holds(this ComparisonOperator op, double actual, double expected) => op switch
    {
        ComparisonOperator.Less => actual < expected,
        ComparisonOperator.LessOrEqual => actual <= expected,
        ComparisonOperator.Greater => actual > expected,
        ComparisonOperator.GreaterOrEqual => actual >= expected,
        ComparisonOperator.Equal => actual == expected,
        ComparisonOperator.NotEqual => actual != expected,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown comparison operator."),
    };
}

/// <summary>
/// `expect measure(layer) at step|end op value [where a in [...], b in [...]]`. <see cref="Metric"/> is the metrics.csv column
/// name (e.g. "loss", "clusters.hidden") or a reduction result ("reduction.width_after"); <see cref="AtStep"/> null means the
/// last recorded row. <see cref="When"/>, when given, limits the expectation to the runs where every one of its parameters
/// has one of its values.
/// </summary>
public sealed record Expectation(
    string Metric, long? AtStep, ComparisonOperator Operator, double Value, string SourceText, int Line, IReadOnlyList<ExpectationCondition>? When = null)
{
    /// <summary>Whether the expectation is about a run with these resolved parameter values.</summary>
    public bool AppliesTo(IReadOnlyDictionary<string, double> parameters) =>
        When is null || When.All(test => parameters.TryGetValue(test.Parameter, out var value) && test.Values.Contains(value));

    /// <summary>
    /// Whether it is about a summary of the whole sweep (<see cref="PhaseDiagramSpec.SlopeMetric"/>), checked once the sweep
    /// has run, rather than about each run.
    /// </summary>
    public bool IsSweepLevel => Metric.StartsWith(PhaseDiagramSpec.MetricPrefix, StringComparison.Ordinal);

    /// <summary>The same expectation with the words of every condition on a choice parameter of <paramref name="parameters"/>.</summary>
    public Expectation WithChoiceWords(IReadOnlyList<ParameterDeclaration> parameters) =>
        When is null
            ? this
            : this with
            {
                When = [.. When.Select(condition => parameters.FirstOrDefault(p => p.Name == condition.Parameter) is { Type: ParameterType.Choice } choice
                    ? condition with { Words = [.. condition.Values.Select(choice.Format)] }
                    : condition)],
            };
}

/// <summary>
/// `summary loss_spectrum(by: m, bins: 200, from: -5, to: 0)` (SCIENCE.md §3 row 7, figure 7): the sweep's cells grouped by
/// the value of the let <see cref="By"/> (the width); in each group, over all its completed cells (the trials), the
/// fraction of training epochs spent in each of <see cref="Bins"/> equal bins of log10(loss) on [<see cref="From"/>,
/// <see cref="To"/>], read from every cell's recorded loss curve (metrics.csv).
/// </summary>
public sealed record LossSpectrumSpec(string By, int Bins, double From, double To);

/// <summary>
/// `summary phase_diagram(gamma, gamma_prime, width: m, layer: hidden)` (SCIENCE.md §2, figure 5): the sweep's cells grouped by
/// the values of the lets <see cref="Gamma"/> and <see cref="GammaPrime"/>; in each group, the slope S_w of log RelDis of
/// <see cref="Layer"/> at the end of training against log <see cref="Width"/> (a swept let), fitted over every completed
/// cell of the group (all widths and seeds). Expectations on <see cref="SlopeMetric"/> (`expect slope at end ...` with
/// `where` naming the group) are checked per group once the sweep has run.
/// </summary>
public sealed record PhaseDiagramSpec(string Gamma, string GammaPrime, string Width, string Layer)
{
    public const string MetricPrefix = "phase_diagram.";

    /// <summary>The metric of `expect slope …`: S_w of a (γ, γ′) group.</summary>
    public const string SlopeMetric = MetricPrefix + "slope";

    /// <summary>The metrics.csv column the slope is fitted to: RelDis of the layer, its last recorded value.</summary>
    public string RelDisColumn => "reldis." + Layer;
}

/// <summary>`where parameter in [values]` of an expectation (a choice parameter's values as indices of its words).</summary>
/// <summary>
/// `p in [v1, v2, …]` of an expectation's `where`. <see cref="Values"/> are numbers as parameters are everywhere in a run (a
/// choice parameter's: indices of its words); <see cref="Words"/>, when set, are a choice parameter's words for them, which
/// is how run.json records a choice, so a condition read back with the run folders alone can still be matched
/// (<see cref="Expectation.WithChoiceWords"/>).
/// </summary>
public sealed record ExpectationCondition(string Parameter, IReadOnlyList<double> Values, IReadOnlyList<string>? Words = null);

/// <summary>What the host needs to know about the experiment without running it.</summary>
public sealed record ExperimentInfo(
    string Name,
    string Title,
    string SourceFile,
    string SourceSha256,
    IReadOnlyList<ParameterDeclaration> Parameters,
    IReadOnlyList<SweepAxis> Sweep,
    IReadOnlyList<Expectation> Expectations)
{
    /// <summary>`summary phase_diagram(…)`, when the experiment declares one.</summary>
    public PhaseDiagramSpec? PhaseDiagram { get; init; }

    /// <summary>`summary loss_spectrum(…)`, when the experiment declares one.</summary>
    public LossSpectrumSpec? LossSpectrum { get; init; }
}

/// <summary>A target function y = f(x) compiled from the experiment's `target` expression; x has the data's dimension.</summary>
public delegate double TargetFunction(ReadOnlySpan<double> x);

/// <summary>Standard deviation of a layer's initial parameters as a function of its fan-in (input width).</summary>
public delegate double InitStdFunction(int fanIn);

public abstract record DataSpec(string Name, TargetFunction Target)
{
    public abstract int Dimension { get; }
}

/// <summary>`grid(from, to, points: n)`: n evenly spaced 1-D points, both ends included.</summary>
public sealed record GridDataSpec(string Name, double From, double To, int Points, TargetFunction Target) : DataSpec(Name, Target)
{
    public override int Dimension => 1;
}

/// <summary>
/// Labelled images from MNIST-format IDX files (plain or .gz), each image one row of <see cref="Shape"/> (channels × height
/// × width) and its class label the row's target. Byte pixels are scaled to [0, 1], then standardized:
/// (p − <see cref="Mean"/>) / <see cref="Std"/> (0 and 1 leave them in [0, 1]). The rows are the first <see cref="Take"/>
/// images of the files (all when 0 or more than they hold), or, with <see cref="Shuffle"/>, the first <see cref="Take"/> of
/// a permutation of all images drawn by the RNG stream "data/&lt;name&gt;" (a random subset, the same for a seed). The
/// shape is the one the experiment was checked against: files of another shape are refused when the data is loaded.
/// </summary>
public sealed record IdxDataSpec(string Name, string ImagesPath, string LabelsPath, int Take, ImageShape Shape)
    : DataSpec(Name, static _ => throw new InvalidOperationException("The targets of IDX data are its labels."))
{
    public override int Dimension => Shape.Length;

    public double Mean { get; init; }

    public double Std { get; init; } = 1.0;

    public bool Shuffle { get; init; }
}

/// <summary>`uniform(from, to, points: n, dim: d)`: n points drawn uniformly from [from, to]^d by the RNG stream "data/&lt;name&gt;".</summary>
public sealed record UniformDataSpec(string Name, double From, double To, int Points, int Dim, TargetFunction Target) : DataSpec(Name, Target)
{
    public override int Dimension => Dim;
}

/// <summary>
/// <see cref="BatchNorm"/> normalizes its input per channel (an image's) or per feature (a vector's) with learned γ, β and
/// running statistics (<see cref="Model.BatchNormLayer"/>). <see cref="Residual"/> is a ResNet BasicBlock
/// (<see cref="Model.ResidualBlock"/>): conv-bn-relu-conv-bn plus a shortcut, then the layer's activation; its inner
/// layers are named "&lt;block&gt;.conv1", "&lt;block&gt;.bn1", … (see <see cref="Model.ResNet"/> for ResNet-18 built of them).
/// </summary>
public enum LayerKind { Dense, Dropout, Conv, MaxPool, AvgPool, BatchNorm, Residual }

/// <summary>
/// A layer; <see cref="InitStd"/> null means the model's default initialization. A <see cref="LayerKind.Dropout"/> layer has
/// no parameters (Width = the previous layer's width, linear, no bias): during training each of its outputs is kept with
/// probability <see cref="Keep"/> (0 &lt; p ≤ 1; 1 = no dropout) and scaled by 1/p, with masks from the RNG stream
/// "dropout/&lt;model&gt;/&lt;layer&gt;"; evaluation passes run without it. Dense layers ignore <see cref="Keep"/>.
/// </summary>
public sealed record LayerSpec(string Name, LayerKind Kind, int Width, Activation Activation, bool Bias, InitStdFunction? InitStd, double Keep = 1.0)
{
    /// <summary>
    /// A <see cref="LayerKind.Conv"/> layer's square kernel side (its <see cref="Width"/> is the number of filters); a
    /// pooling layer's square window side (0: the whole image, global pooling). Pooling layers ignore Width.
    /// </summary>
    public int Kernel { get; init; }

    /// <summary>A convolution's, pooling window's or residual block's (its first convolution's and shortcut's) stride on both axes.</summary>
    public int Stride { get; init; } = 1;

    /// <summary>A convolution's zero padding on all four sides.</summary>
    public int Padding { get; init; }

    /// <summary>
    /// A <see cref="LayerKind.BatchNorm"/> layer's weight of the batch statistics in its running averages (PyTorch's
    /// momentum, default 0.1); other layers ignore it.
    /// </summary>
    public double Momentum { get; init; } = 0.1;
}

/// <summary>The shape of one input sample as an image: channels × height × width (NCHW rows, row-major).</summary>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    public int Length => Channels * Height * Width;
}

/// <summary>
/// A feed-forward model. Every parameter (weights and biases) starts as N(0, std²) with std from the layer's
/// or the model's InitStdFunction, drawn by the RNG stream "init/&lt;model&gt;/&lt;layer&gt;/weight|bias".
/// </summary>
/// <remarks>
/// <see cref="Antisymmetric"/> (the phase-diagram studies' trick for a zero initial output): after drawing, the second half
/// of the last hidden dense layer's neurons copy the first half's input weights and biases, their output weights are the
/// first half's negated, and the output bias is zero, so the network starts at f ≡ 0 exactly. The values the stream drew
/// for the second half are not used.
/// <para>
/// <see cref="OutputScale"/> (`scale e` in the model): the model's output is the last layer's times this factor, f = s·out
/// (the phase diagram's 1/α in f(x) = (1/α) Σ a_k σ(w_k·x̃)); gradients follow it. 1 leaves the model as it is.
/// </para>
/// </remarks>
public sealed record ModelSpec(string Name, int InputSize, IReadOnlyList<LayerSpec> Layers, InitStdFunction DefaultInitStd, bool Antisymmetric = false)
{
    public double OutputScale { get; init; } = 1.0;

    /// <summary>The input as an image, for convolution layers; null: a vector of <see cref="InputSize"/> (1 channel, 1×InputSize).</summary>
    public ImageShape? InputShape { get; init; }
}

/// <summary>
/// <see cref="Mse"/>: mean((f − y)²) against a scalar target. <see cref="CrossEntropy"/>: the mean of −log softmax(f)[y]
/// over samples, the target being a class index 0..classes−1 and the model's outputs the classes' logits.
/// </summary>
public enum LossKind { Mse, CrossEntropy }

public enum DurationUnit { Epochs, Steps }

/// <summary>
/// How long to train. Observation schedules and `expect ... at N` count in <see cref="Unit"/>.
/// With full-batch optimizers an epoch is one step. Training stops early when the loss falls below
/// <see cref="StopBelowLoss"/> (the rule `until loss &lt; tol`).
/// </summary>
/// <remarks>
/// <see cref="DivergenceRetries"/> (`on divergence halve lr, retry N`, the phase-diagram studies' rule): when the loss becomes
/// NaN or infinite, training starts again from the same initial parameters with half the learning rate, at most N times;
/// each retry is recorded (<see cref="IRunSink.RestartAfterDivergence"/>) and the results are the last attempt's.
/// </remarks>
public sealed record TrainingSpec(LossKind Loss, OptimizerSpec Optimizer, DurationUnit Unit, long Length, double? StopBelowLoss, int DivergenceRetries = 0)
{
    /// <summary>
    /// `until accuracy &gt;= a`: training stops at the first counted step whose training accuracy reaches a (cross-entropy
    /// models); a run that ends without reaching it is unconverged, as with <see cref="StopBelowLoss"/>.
    /// </summary>
    public double? StopAtAccuracy { get; init; }
}

/// <summary>One `on divergence halve lr, retry N` restart: which attempt failed, where, and the learning rates before and after.</summary>
public sealed record DivergenceRetry(int Attempt, long Step, double Loss, double LearningRate, double NextLearningRate);

public enum AmplitudeKind { Full, Input }

/// <summary>A quantity recorded at an observation. Column names in metrics.csv are given per measure.</summary>
public abstract record MeasureSpec;

/// <summary>
/// Column "loss" (the training data's loss, recorded at every observation anyway) or, with <see cref="Data"/>, column
/// "loss.&lt;data&gt;": the mean loss over every sample of that data set.
/// </summary>
public sealed record LossMeasure(DataSpec? Data = null) : MeasureSpec;

/// <summary>
/// Column "accuracy", or "accuracy.&lt;data&gt;" with <see cref="Data"/>: the fraction of the samples of the training data
/// (or of <see cref="Data"/>) whose largest output is their class (cross-entropy models).
/// </summary>
public sealed record AccuracyMeasure(DataSpec? Data = null) : MeasureSpec;

/// <summary>Arrays features.&lt;layer&gt;.&lt;step&gt;.npy (θ, A, static flag per neuron); column "static.&lt;layer&gt;".</summary>
public sealed record FeaturesMeasure(string Layer, AmplitudeKind Amplitude) : MeasureSpec;

/// <summary>
/// Array cosine.&lt;layer&gt;.&lt;step&gt;.npy: the neurons' input-weight cosine matrix (a dense layer's with the bias
/// appended; a convolution's over its filters, each kernel flattened over channels × kernel rows × kernel columns, SCIENCE.md
/// §2); column aligned.&lt;layer&gt;: the fraction of pairs of distinct neurons with cos ≥ <see cref="AlignedThreshold"/> (same direction)
/// (see <see cref="Analysis.Similarity.AlignedFraction"/>).
/// </summary>
public sealed record CosineMeasure(string Layer, double AlignedThreshold = CosineMeasure.DefaultAlignedThreshold) : MeasureSpec
{
    public const double DefaultAlignedThreshold = 0.9;
}

/// <summary>
/// Leader clustering of the layer's neurons. Columns clusters.&lt;layer&gt;, effective_width.&lt;layer&gt;,
/// condensed_width.&lt;layer&gt;, negligible.&lt;layer&gt;, static.&lt;layer&gt;, lines.&lt;layer&gt; (clusters holding at
/// least <see cref="LineSize"/> neurons: the lines a cosine heatmap shows) and largest_cluster.&lt;layer&gt; (the fraction
/// of all the layer's neurons that lie in its largest cluster).
/// </summary>
public sealed record ClustersMeasure(string Layer, double Threshold, bool Signed, double NegligibleFraction, double MassFraction, int LineSize = 3) : MeasureSpec;

/// <summary>
/// Array cosine_outputs.&lt;layer&gt;.&lt;step&gt;.npy: the cosine matrix of the layer's neurons' outputs (post-activation)
/// over the first <see cref="Count"/> samples of data <see cref="Data"/>, each neuron's (a convolution's: each channel's)
/// outputs over all samples (and positions) taken as one vector (SCIENCE.md §2 "output similarity"); column
/// aligned_outputs.&lt;layer&gt;: the fraction of pairs of distinct neurons with cos ≥ <see cref="AlignedThreshold"/> (same direction).
/// </summary>
public sealed record CosineOutputsMeasure(string Layer, DataSpec Data, int Count, double AlignedThreshold = CosineMeasure.DefaultAlignedThreshold) : MeasureSpec;

/// <summary>Column reldis.&lt;layer&gt;: ‖θ_w(t) − θ_w(0)‖ / ‖θ_w(0)‖ over the layer's input weights and biases.</summary>
public sealed record RelDisMeasure(string Layer) : MeasureSpec;

public abstract record ScheduleSpec
{
    /// <summary>Whether an observation falls at <paramref name="step"/> (0 = before training).</summary>
    public abstract bool IsDue(long step);
}

/// <summary>`observe every N`: at 0, N, 2N, … and at the last step.</summary>
public sealed record EveryScheduleSpec(long Interval) : ScheduleSpec
{
    public override bool IsDue(long step) => step % Interval == 0;
}

/// <summary>`observe at [a, b, …]`.</summary>
public sealed record AtScheduleSpec(IReadOnlyList<long> Points) : ScheduleSpec
{
    public override bool IsDue(long step)
    {
        foreach (var point in Points)
        {
            if (point == step)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// `observe when accuracy &gt;= 0.95`: once, at the first counted step where the training data's <see cref="Metric"/>
/// ("loss" or "accuracy") compared with <see cref="Value"/> holds — a snapshot at a declared point of training rather than
/// at a step. Which step that is, the training loop decides (<see cref="Observation.Observer.Trigger"/>); by steps alone
/// it is never due.
/// </summary>
public sealed record WhenScheduleSpec(string Metric, ComparisonOperator Operator, double Value) : ScheduleSpec
{
    public override bool IsDue(long step) => false;

    /// <summary>Whether the condition holds for the training data's loss and accuracy.</summary>
    public bool Holds(double loss, double accuracy) => Operator.Holds(Metric == "accuracy" ? accuracy : loss, Value);
}

public sealed record ObservationSpec(ScheduleSpec Schedule, IReadOnlyList<MeasureSpec> Measures);

/// <summary>
/// `reduce &lt;layer&gt; (threshold: t, negligible: e)` after training, then an optional `train { … }` block
/// (<see cref="FineTune"/>). Neurons whose input weights (bias appended) have cosine ≥ <see cref="Threshold"/> with
/// their cluster's leader merge into the leader, a_j ← Σ_k a_k‖w_k‖/‖w_j‖ (exact for ReLU by positive homogeneity);
/// neurons with amplitude below <see cref="NegligibleFraction"/> × the largest amplitude are dropped. A data point's
/// predictions agree when they differ by at most <see cref="AgreementTolerance"/> × max |f(x)| of the original network.
/// </summary>
/// <summary>
/// `embed L (neuron: k, split: s, tolerance: t)` after training: split neuron <see cref="Neuron"/> (0-based) of the last hidden
/// layer <see cref="Layer"/> into two with output weights a·s and a·(1 − s) and check the embedding principle (see
/// <see cref="Embedding.EmbeddingResult"/>); Hessian eigenvalues count as zero when |λ| ≤ <see cref="ZeroTolerance"/>·max|λ|.
/// </summary>
public sealed record EmbeddingSpec(string Layer, int Neuron, double Split, double ZeroTolerance);

public sealed record ReductionSpec(string Layer, double Threshold, double NegligibleFraction, TrainingSpec? FineTune, double AgreementTolerance = 0.01);
