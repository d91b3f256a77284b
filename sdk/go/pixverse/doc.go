// Manage useapi.net PixVerse accounts: v1 (a Discord bot set-up) and v2 (a PixVerse login).
package pixverse
