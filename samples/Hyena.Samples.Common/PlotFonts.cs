using System;
using System.IO;
using System.Linq;
using SkiaSharp;

namespace Hyena.Samples
{
    /// <summary>
    /// The typefaces of the charts, found once per process: a sans-serif family the system has (DejaVu Sans on
    /// Debian), looked up by name and, since SkiaSharp's NoDependencies natives work without fontconfig, also by
    /// file in the usual folders; SkiaSharp's default typeface otherwise (with a warning when it cannot draw letters).
    /// </summary>
    internal static class PlotFonts
    {
        private static readonly Lazy<(SKTypeface Regular, SKTypeface Bold)> _typefaces = new(Load);

        private static readonly string[] _families = { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Segoe UI" };

        private static readonly (string Regular, string Bold)[] _files =
        {
            ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
            ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
            ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
            ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
            ("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf", "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"),
            ("/Library/Fonts/Arial.ttf", "/Library/Fonts/Arial Bold.ttf"),
            ("C:\\Windows\\Fonts\\arial.ttf", "C:\\Windows\\Fonts\\arialbd.ttf"),
        };

        /// <summary>The regular typeface.</summary>
        public static SKTypeface Regular => _typefaces.Value.Regular;

        /// <summary>The bold typeface (the regular one when no bold face was found).</summary>
        public static SKTypeface Bold => _typefaces.Value.Bold;

        private static (SKTypeface Regular, SKTypeface Bold) Load()
        {
            foreach (string family in _families)
            {
                SKTypeface? regular = SKTypeface.FromFamilyName(family, SKFontStyle.Normal);
                if (IsUsable(regular, family))
                {
                    SKTypeface? bold = SKTypeface.FromFamilyName(family, SKFontStyle.Bold);
                    return (regular!, IsUsable(bold, family) ? bold! : regular!);
                }
            }

            foreach ((string regularFile, string boldFile) in _files)
            {
                SKTypeface? regular = File.Exists(regularFile) ? SKTypeface.FromFile(regularFile) : null;
                if (IsUsable(regular, family: null))
                {
                    SKTypeface? bold = File.Exists(boldFile) ? SKTypeface.FromFile(boldFile) : null;
                    return (regular!, IsUsable(bold, family: null) ? bold! : regular!);
                }
            }

            string? any = FindAnyTrueType();
            SKTypeface? found = any is null ? null : SKTypeface.FromFile(any);
            if (IsUsable(found, family: null))
                return (found!, found!);

            Console.Error.WriteLine("Warning: no usable font found; chart text may be missing (install fonts-dejavu-core).");
            return (SKTypeface.Default, SKTypeface.Default);
        }

        private static bool IsUsable(SKTypeface? typeface, string? family)
        {
            if (typeface is null || typeface.GlyphCount == 0)
                return false;
            if (family is not null && !string.Equals(typeface.FamilyName, family, StringComparison.OrdinalIgnoreCase))
                return false;
            return typeface.ContainsGlyphs("Epoch 0.5%");
        }

        private static string? FindAnyTrueType()
        {
            foreach (string root in new[] { "/usr/share/fonts", "/usr/local/share/fonts" })
            {
                if (!Directory.Exists(root))
                    continue;
                string? found = Directory.EnumerateFiles(root, "*.ttf", SearchOption.AllDirectories)
                    .OrderBy(f => f, StringComparer.Ordinal)
                    .FirstOrDefault();
                if (found is not null)
                    return found;
            }

            return null;
        }
    }
}
