using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmDistill.Training.Losses;

/// <summary>
/// Which divergence compares the teacher's coarsened distribution p with the student's q at each position.
/// Use <c>new Divergence.Forward()</c>, <c>new Divergence.Reverse()</c> or <c>new Divergence.Jsd(0.5)</c>.
/// </summary>
[JsonConverter(typeof(DivergenceText))]
public abstract record Divergence
{
    Divergence() { }

    /// <summary><c>forward</c>, <c>reverse</c>, <c>jsd</c> (β = 0.5) or <c>jsd:β</c>, as <see cref="ToString"/> writes them.</summary>
    public static Divergence Parse(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "forward") return new Forward();
        if (t == "reverse") return new Reverse();
        if (t == "jsd") return new Jsd(0.5);
        if (t.StartsWith("jsd:", StringComparison.Ordinal)
            && double.TryParse(t[4..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double beta))
            return new Jsd(beta);
        throw new FormatException($"'{text}' is not a divergence: use forward, reverse, jsd or jsd:β (0 < β < 1)");
    }

    /// <summary>KL(p ‖ q): mass-covering, the usual distillation objective (Hinton et al. 2015). The default.</summary>
    public sealed record Forward : Divergence
    {
        public override string ToString() => "forward";
    }

    /// <summary>KL(q ‖ p): mode-seeking; the student is penalised for mass where the teacher has little.</summary>
    public sealed record Reverse : Divergence
    {
        public override string ToString() => "reverse";
    }

    /// <summary>
    /// Generalised Jensen–Shannon divergence (Agarwal et al. 2024, GKD): with m = β·p + (1 − β)·q,
    /// JSD(β) = β·KL(p ‖ m) + (1 − β)·KL(q ‖ m). β = 0.5 is the symmetric JSD; β must lie strictly in (0, 1),
    /// since at either end m equals one side and the divergence is identically zero.
    /// </summary>
    public sealed record Jsd(double Beta) : Divergence
    {
        public double Beta { get; } = Beta > 0 && Beta < 1 ? Beta : throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "JSD β must lie strictly between 0 and 1");

        public override string ToString() => Beta == 0.5 ? "jsd" : $"jsd:{Beta.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }
}

/// <summary>
/// A divergence as its text (<c>jsd:0.3</c>) wherever settings are serialised without the checkpoint's own converter,
/// e.g. the pipeline's stage keys, so that changing it changes the key.
/// </summary>
internal sealed class DivergenceText : JsonConverter<Divergence>
{
    public override Divergence Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Divergence.Parse(reader.GetString() ?? throw new JsonException("divergence is null"));

    public override void Write(Utf8JsonWriter writer, Divergence value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
