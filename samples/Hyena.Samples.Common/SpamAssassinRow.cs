namespace Hyena.Samples
{
    /// <summary>A SpamAssassin message as a row for <c>mlContext.Data.LoadFromEnumerable</c>.</summary>
    public sealed class SpamAssassinRow
    {
        /// <summary>The whole raw message.</summary>
        public string Text { get; set; } = string.Empty;

        /// <summary>"spam" or "ham".</summary>
        public string Label { get; set; } = string.Empty;
    }
}
