namespace CondensationDsl.Runtime.Data.Idx;

/// <summary>
/// Images with their class labels, from a pair of MNIST-format files: images n × rows × columns (or n × channels × rows ×
/// columns), labels n. Pixels are decoded on demand by <see cref="CopyImages"/>, scaled to [0, 1] for byte images.
/// </summary>
public sealed class LabelledImages
{
    private LabelledImages(IdxArray images, int[] labels, int channels, int rows, int columns)
    {
        Images = images;
        Labels = labels;
        Channels = channels;
        Rows = rows;
        Columns = columns;
        Classes = labels.Length == 0 ? 0 : labels.Max() + 1;
    }

    public IdxArray Images { get; }

    public IReadOnlyList<int> Labels { get; }

    public int Count => Labels.Count;

    public int Channels { get; }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>The number of classes: the largest label + 1.</summary>
    public int Classes { get; }

    /// <summary>Floats per image: channels × rows × columns.</summary>
    public int ImageSize => Channels * Rows * Columns;

    /// <summary>
    /// Reads and cross-checks the two files: images must be 3-D (n, rows, columns) or 4-D (n, channels, rows, columns),
    /// labels 1-D of integer type with the same n and no negative label.
    /// </summary>
    public static LabelledImages Load(string imagesPath, string labelsPath)
    {
        var images = IdxReader.Read(imagesPath);
        var labels = IdxReader.Read(labelsPath);
        if (images.Dimensions.Count is not (3 or 4))
        {
            throw new IdxFormatException(imagesPath, $"images have {images.Dimensions.Count} dimension(s) ({string.Join(" × ", images.Dimensions)}); expected n × rows × columns or n × channels × rows × columns.");
        }

        if (labels.Dimensions.Count != 1)
        {
            throw new IdxFormatException(labelsPath, $"labels have {labels.Dimensions.Count} dimensions ({string.Join(" × ", labels.Dimensions)}); expected one label per image (1 dimension).");
        }

        if (labels.ElementType is IdxElementType.Float or IdxElementType.Double)
        {
            throw new IdxFormatException(labelsPath, $"labels are {labels.ElementType} numbers; class labels are integers (type 0x08 for MNIST).");
        }

        if (labels.Count != images.Count)
        {
            throw new IdxFormatException(labelsPath, $"{labels.Count} labels for the {images.Count} images of {imagesPath}; the two files must have the same count.");
        }

        var values = new int[labels.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (int)labels.ValueAt(i);
            if (values[i] < 0)
            {
                throw new IdxFormatException(labelsPath, $"label {i} is {values[i]}; class labels are ≥ 0.");
            }
        }

        var dims = images.Dimensions;
        return dims.Count == 3
            ? new LabelledImages(images, values, 1, dims[1], dims[2])
            : new LabelledImages(images, values, dims[1], dims[2], dims[3]);
    }

    /// <summary>
    /// Images [first, first + count) into <paramref name="destination"/> (count × ImageSize floats), byte pixels scaled
    /// by 1/255 to [0, 1], other types as stored.
    /// </summary>
    public void CopyImages(int first, int count, Span<float> destination)
    {
        var divisor = Images.ElementType == IdxElementType.UnsignedByte ? 255f : 1f;
        Images.CopyTo((long)first * ImageSize, destination[..(count * ImageSize)], divisor);
    }
}
