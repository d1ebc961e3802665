namespace CondensationDsl.Runtime.Devices;

/// <summary>
/// The classification loss: softmax cross-entropy over row-major rows×classes float32 logits with one class label per
/// row (stored as a float). Both methods throw <see cref="ArgumentException"/> for a label that is not a whole number in
/// [0, classes), for rows or classes below 1 and for buffers that are too short.
/// </summary>
public interface ICrossEntropyDevice : IDevice
{
    /// <summary>
    /// Numerically stable softmax cross-entropy fused with its gradient: logits rows×classes, labels[r] = class index as a
    /// float. Returns the mean over rows of −log softmax(logits[r])[label[r]], computed with the row max m subtracted as
    /// log Σ_c exp(x_c − m) + m − x_label, the logarithm and the mean in float64 (each device documents how it accumulates
    /// Σ exp and its error bound), and writes gradient[r,c] = (softmax[r,c] − 1[c = label[r]]) / rows.
    /// Does not overflow for any finite logits; gives log(classes) when a row's logits are all equal.
    /// Throws <see cref="ArgumentException"/> when a label is not a whole number in [0, classes); the gradient is then untouched.
    /// </summary>
    double SoftmaxCrossEntropy(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer gradient, int rows, int classes);

    /// <summary>How many rows have their label as the (first) largest logit. Labels are validated as in
    /// <see cref="SoftmaxCrossEntropy"/>.</summary>
    int CountCorrect(DeviceBuffer logits, DeviceBuffer labels, int rows, int classes);
}

/// <summary>Checks of class labels stored as floats, shared by the devices.</summary>
public static class ClassLabels
{
    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the first row whose label is not a whole number in [0, classes) (and
    /// the data set, when <paramref name="data"/> is given).
    /// </summary>
    public static void Validate(ReadOnlySpan<float> labels, int classes, string? data = null)
    {
        for (var r = 0; r < labels.Length; r++)
        {
            var label = labels[r];
            // NaN fails both comparisons; the truncation test rejects fractions.
            if (!(label >= 0 && label < classes) || label != MathF.Truncate(label))
            {
                var where = data is null ? string.Empty : $" of data '{data}'";
                throw new ArgumentException(
                    $"Label of row {r}{where} is {label}; a label must be a whole class index in [0, {classes}) — the model has {classes} outputs.", "labels");
            }
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless rows and classes are at least 1 and rows·classes fits in an int.</summary>
    public static void ValidateShape(int rows, int classes)
    {
        if (rows < 1 || classes < 1)
        {
            throw new ArgumentException($"Cross-entropy needs at least one row and one class (got {rows}×{classes}).", nameof(rows));
        }

        if ((long)rows * classes > int.MaxValue)
        {
            throw new ArgumentException($"Logits of {rows}×{classes} have more than {int.MaxValue} elements.", nameof(rows));
        }
    }
}
