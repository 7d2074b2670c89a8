using System;
using System.Collections.Generic;
using System.Linq;
using SkiaSharp;

namespace Hyena.Samples
{
    /// <summary>Draws a <see cref="LinePlot"/> with SkiaSharp on a white canvas and encodes it as PNG.</summary>
    internal static class PlotRenderer
    {
        private const float Padding = 12;
        private const float TickLength = 5;
        private const float TitleSize = 18;
        private const float LabelSize = 15;
        private const float TickLabelSize = 12.5f;
        private const float LegendSize = 13;
        private const float LegendSampleLength = 26;
        private const float LegendGap = 22;

        private static readonly SKColor[] _palette =
        {
            new(0x1F, 0x77, 0xB4), new(0xFF, 0x7F, 0x0E), new(0x2C, 0xA0, 0x2C), new(0xD6, 0x27, 0x28), new(0x94, 0x67, 0xBD),
            new(0x8C, 0x56, 0x4B), new(0xE3, 0x77, 0xC2), new(0x7F, 0x7F, 0x7F), new(0xBC, 0xBD, 0x22), new(0x17, 0xBE, 0xCF),
        };

        /// <summary>Renders the chart.</summary>
        /// <param name="plot">The chart.</param>
        /// <param name="width">The width in pixels.</param>
        /// <param name="height">The height in pixels.</param>
        /// <returns>The PNG file's bytes.</returns>
        public static byte[] RenderPng(LinePlot plot, int width, int height)
        {
            var series = plot.Series.Select((s, i) => new Prepared(s, _palette[i % _palette.Length], Points(plot, s))).ToList();
            bool hasRight = series.Any(s => s.Source.OnRightAxis);
            AxisScale x = AxisScale.Create(series.SelectMany(s => s.Points.Select(p => p.X)), plot.LogScaleX, plot.IntegerTicksX);
            AxisScale left = AxisScale.Create(series.Where(s => !s.Source.OnRightAxis).SelectMany(s => s.Points.Select(p => p.Y)), plot.LogScaleY, integerTicks: false);
            AxisScale? right = hasRight
                ? AxisScale.Create(series.Where(s => s.Source.OnRightAxis).SelectMany(s => s.Points.Select(p => p.Y)), logScale: false, integerTicks: false)
                : null;

            using var titlePaint = TextPaint(PlotFonts.Bold, TitleSize);
            using var labelPaint = TextPaint(PlotFonts.Bold, LabelSize);
            using var tickPaint = TextPaint(PlotFonts.Regular, TickLabelSize);
            using var legendPaint = TextPaint(PlotFonts.Regular, LegendSize);

            // Layout: title on top; y labels and tick labels at the sides; x tick labels, x label and legend below.
            float tickTextHeight = LineHeight(tickPaint);
            float leftTickWidth = left.MajorTicks.Select(t => tickPaint.MeasureText(t.Label)).DefaultIfEmpty(0).Max();
            float rightTickWidth = right?.MajorTicks.Select(t => tickPaint.MeasureText(t.Label)).DefaultIfEmpty(0).Max() ?? 0;
            float lastXTickHalf = x.MajorTicks.Count == 0 ? 0 : tickPaint.MeasureText(x.MajorTicks[^1].Label) / 2;
            List<List<int>> legendRows = LegendRows(series, legendPaint, width - (2 * Padding));

            float top = Padding + (string.IsNullOrEmpty(plot.Title) ? 0 : LineHeight(titlePaint) + 8);
            float leftEdge = Padding + (string.IsNullOrEmpty(plot.YLabel) ? 0 : LineHeight(labelPaint) + 8) + leftTickWidth + TickLength + 4;
            float rightEdge = width - (hasRight
                ? Padding + (string.IsNullOrEmpty(plot.RightYLabel) ? 0 : LineHeight(labelPaint) + 8) + rightTickWidth + TickLength + 4
                : Padding + Math.Max(8, lastXTickHalf));
            float legendHeight = legendRows.Count * (LineHeight(legendPaint) + 6);
            float bottom = height - (Padding + legendHeight + (legendRows.Count > 0 ? 8 : 0)
                + (string.IsNullOrEmpty(plot.XLabel) ? 0 : LineHeight(labelPaint) + 6) + tickTextHeight + TickLength + 4);
            if (rightEdge - leftEdge < 20 || bottom - top < 20)
                throw new ArgumentException($"A {width} x {height} image leaves no room for the chart area; make it larger.", nameof(width));
            var area = new SKRect(leftEdge, top, rightEdge, bottom);

            var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
            using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException("SkiaSharp could not create a drawing surface.");
            SKCanvas canvas = surface.Canvas;
            canvas.Clear(SKColors.White);

            DrawGridAndTicks(canvas, area, x, left, right, tickPaint);
            DrawSeries(canvas, area, x, left, right, series);
            using (var frame = new SKPaint { Color = SKColors.Black, Style = SKPaintStyle.Stroke, StrokeWidth = 1, IsAntialias = false })
                canvas.DrawRect(new SKRect(area.Left - 0.5f, area.Top - 0.5f, area.Right + 0.5f, area.Bottom + 0.5f), frame);

            if (!string.IsNullOrEmpty(plot.Title))
                DrawCentered(canvas, plot.Title, area.MidX, Padding, titlePaint);
            float xLabelTop = area.Bottom + TickLength + 4 + tickTextHeight + 6;
            if (!string.IsNullOrEmpty(plot.XLabel))
                DrawCentered(canvas, plot.XLabel, area.MidX, xLabelTop, labelPaint);
            if (!string.IsNullOrEmpty(plot.YLabel))
                DrawRotated(canvas, plot.YLabel, Padding, area.MidY, -90, labelPaint);
            if (hasRight && !string.IsNullOrEmpty(plot.RightYLabel))
                DrawRotated(canvas, plot.RightYLabel, width - Padding, area.MidY, 90, labelPaint);

            float legendTop = height - Padding - legendHeight;
            DrawLegend(canvas, series, legendRows, width, legendTop, legendPaint);

            using SKImage image = surface.Snapshot();
            using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
            return png.ToArray();
        }

        private static List<(double X, double Y)> Points(LinePlot plot, LineSeries series)
        {
            bool logY = plot.LogScaleY && !series.OnRightAxis;
            var points = new List<(double X, double Y)>(series.X.Count);
            for (int i = 0; i < series.X.Count; i++)
            {
                double x = series.X[i];
                double y = series.Y[i];
                if (!double.IsFinite(x) || !double.IsFinite(y) || (plot.LogScaleX && x <= 0) || (logY && y <= 0))
                    continue;
                points.Add((plot.LogScaleX ? Math.Log10(x) : x, logY ? Math.Log10(y) : y));
            }

            return points;
        }

        private static void DrawGridAndTicks(SKCanvas canvas, SKRect area, AxisScale x, AxisScale left, AxisScale? right, SKPaint tickPaint)
        {
            using var grid = new SKPaint { Color = new SKColor(0, 0, 0, 28), StrokeWidth = 1, IsAntialias = false };
            using var minorGrid = new SKPaint { Color = new SKColor(0, 0, 0, 12), StrokeWidth = 1, IsAntialias = false };
            using var tick = new SKPaint { Color = SKColors.Black, StrokeWidth = 1, IsAntialias = false };
            float baseline = -tickPaint.FontMetrics.Ascent;
            float textHeight = LineHeight(tickPaint);

            foreach (double v in x.MinorTicks)
            {
                float px = Crisp(x.ToPixel(v, area.Left, area.Right));
                canvas.DrawLine(px, area.Top, px, area.Bottom, minorGrid);
                canvas.DrawLine(px, area.Bottom, px, area.Bottom + (TickLength / 2), tick);
            }

            foreach ((double v, string label) in x.MajorTicks)
            {
                float px = Crisp(x.ToPixel(v, area.Left, area.Right));
                canvas.DrawLine(px, area.Top, px, area.Bottom, grid);
                canvas.DrawLine(px, area.Bottom, px, area.Bottom + TickLength, tick);
                DrawCentered(canvas, label, px, area.Bottom + TickLength + 3, tickPaint);
            }

            foreach (double v in left.MinorTicks)
            {
                float py = Crisp(left.ToPixel(v, area.Bottom, area.Top));
                canvas.DrawLine(area.Left, py, area.Right, py, minorGrid);
                canvas.DrawLine(area.Left - (TickLength / 2), py, area.Left, py, tick);
            }

            foreach ((double v, string label) in left.MajorTicks)
            {
                float py = Crisp(left.ToPixel(v, area.Bottom, area.Top));
                canvas.DrawLine(area.Left, py, area.Right, py, grid);
                canvas.DrawLine(area.Left - TickLength, py, area.Left, py, tick);
                float w = tickPaint.MeasureText(label);
                canvas.DrawText(label, area.Left - TickLength - 4 - w, py - (textHeight / 2) + baseline, tickPaint);
            }

            if (right is null)
                return;
            foreach ((double v, string label) in right.MajorTicks)
            {
                float py = Crisp(right.ToPixel(v, area.Bottom, area.Top));
                canvas.DrawLine(area.Right, py, area.Right + TickLength, py, tick);
                canvas.DrawText(label, area.Right + TickLength + 4, py - (textHeight / 2) + baseline, tickPaint);
            }
        }

        private static void DrawSeries(SKCanvas canvas, SKRect area, AxisScale x, AxisScale left, AxisScale? right, List<Prepared> series)
        {
            canvas.Save();
            canvas.ClipRect(new SKRect(area.Left - 4, area.Top - 4, area.Right + 4, area.Bottom + 4));
            foreach (Prepared s in series)
            {
                AxisScale y = s.Source.OnRightAxis ? right! : left;
                SKPoint[] pixels = s.Points.Select(p => new SKPoint(x.ToPixel(p.X, area.Left, area.Right), y.ToPixel(p.Y, area.Bottom, area.Top))).ToArray();
                using var line = new SKPaint { Color = s.Color, Style = SKPaintStyle.Stroke, StrokeWidth = 2, IsAntialias = true, StrokeJoin = SKStrokeJoin.Round, StrokeCap = SKStrokeCap.Round };
                using var marker = new SKPaint { Color = s.Color, Style = SKPaintStyle.Fill, IsAntialias = true };
                if (pixels.Length > 1)
                {
                    using var path = new SKPath();
                    path.AddPoly(pixels, close: false);
                    canvas.DrawPath(path, line);
                }

                if (pixels.Length <= 60)
                {
                    foreach (SKPoint p in pixels)
                        canvas.DrawCircle(p, 3.5f, marker);
                }
            }

            canvas.Restore();
        }

        private static List<List<int>> LegendRows(List<Prepared> series, SKPaint paint, float maxWidth)
        {
            var rows = new List<List<int>>();
            float used = 0;
            for (int i = 0; i < series.Count; i++)
            {
                float w = LegendItemWidth(series[i], paint);
                if (rows.Count == 0 || (used + LegendGap + w > maxWidth && rows[^1].Count > 0))
                {
                    rows.Add(new List<int>());
                    used = 0;
                }

                used += (rows[^1].Count > 0 ? LegendGap : 0) + w;
                rows[^1].Add(i);
            }

            return rows;
        }

        private static float LegendItemWidth(Prepared series, SKPaint paint) => LegendSampleLength + 6 + paint.MeasureText(series.Source.Name);

        private static void DrawLegend(SKCanvas canvas, List<Prepared> series, List<List<int>> rows, int width, float top, SKPaint paint)
        {
            float rowHeight = LineHeight(paint) + 6;
            float baseline = -paint.FontMetrics.Ascent;
            for (int r = 0; r < rows.Count; r++)
            {
                float total = rows[r].Sum(i => LegendItemWidth(series[i], paint)) + (LegendGap * (rows[r].Count - 1));
                float x = (width - total) / 2;
                float y = top + (r * rowHeight);
                float mid = y + (LineHeight(paint) / 2);
                foreach (int i in rows[r])
                {
                    using var line = new SKPaint { Color = series[i].Color, StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke };
                    using var marker = new SKPaint { Color = series[i].Color, Style = SKPaintStyle.Fill, IsAntialias = true };
                    canvas.DrawLine(x, mid, x + LegendSampleLength, mid, line);
                    canvas.DrawCircle(x + (LegendSampleLength / 2), mid, 3.5f, marker);
                    canvas.DrawText(series[i].Source.Name, x + LegendSampleLength + 6, y + baseline, paint);
                    x += LegendItemWidth(series[i], paint) + LegendGap;
                }
            }
        }

        private static SKPaint TextPaint(SKTypeface typeface, float size) => new()
        {
            Typeface = typeface,
            TextSize = size,
            IsAntialias = true,
            Color = SKColors.Black,
            Style = SKPaintStyle.Fill,
        };

        private static float LineHeight(SKPaint paint) => paint.FontMetrics.Descent - paint.FontMetrics.Ascent;

        // Draws text centred horizontally on x, with its top at y.
        private static void DrawCentered(SKCanvas canvas, string text, float x, float y, SKPaint paint) =>
            canvas.DrawText(text, x - (paint.MeasureText(text) / 2), y - paint.FontMetrics.Ascent, paint);

        // Draws text rotated about (x, centreY): -90 reads bottom to top with its top at x; 90 reads top to bottom with its top at x.
        private static void DrawRotated(SKCanvas canvas, string text, float x, float centreY, float degrees, SKPaint paint)
        {
            canvas.Save();
            canvas.RotateDegrees(degrees, x, centreY);
            DrawCentered(canvas, text, x, centreY, paint);
            canvas.Restore();
        }

        private static float Crisp(float pixel) => MathF.Round(pixel) + 0.5f;

        private sealed record Prepared(LineSeries Source, SKColor Color, List<(double X, double Y)> Points);
    }
}
