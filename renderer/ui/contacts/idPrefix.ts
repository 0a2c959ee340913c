/** The first characters of a user id, shown beside a name to tell people apart. */
export const idPrefix = (userId: string): string => userId.slice(0, 8);
